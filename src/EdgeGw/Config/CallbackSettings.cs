namespace EdgeGw.Config;

/// <summary>The callbacks EdgeGw sends (LiteLLM's <c>success_callback</c>/<c>failure_callback</c>/<c>callbacks</c>).</summary>
internal sealed record CallbackSettings
{
    public EquatableArray<GenericApiCallback> GenericApi { get; init; } = [];
    /// <summary>The <c>langfuse</c> callback; null: not listed, or listed without its keys (warned at start-up).</summary>
    public LangfuseCallback? Langfuse { get; init; }
    /// <summary>Listed but left off with a start-up warning of their own (langfuse without keys).</summary>
    public EquatableArray<string> Disabled { get; init; } = [];
    /// <summary><c>litellm_settings.turn_off_message_logging</c>: payloads carry no prompt or answer.</summary>
    public bool TurnOffMessageLogging { get; init; }
    /// <summary><c>litellm_settings.redact_messages_in_exceptions</c>: a failure's error text is not logged (it may quote the request).</summary>
    public bool RedactMessagesInExceptions { get; init; }
    /// <summary>Events held per destination before the oldest are dropped (LiteLLM's <c>MAX_SIZE_IN_MEMORY_QUEUE</c>); null: the default.</summary>
    public int? QueueCapacity { get; init; }

    /// <summary>Every configured callback name EdgeGw acts on, so the "not sent yet" warning skips them.</summary>
    public IEnumerable<string> Names => GenericApi.Select(c => c.Name)
        .Concat(Langfuse is null ? [] : [LangfuseSettingsReader.Name]).Concat(Disabled);
}

/// <summary>LiteLLM's <c>log_format</c> for generic_api: how a batch is laid out in the POST body.</summary>
internal enum GenericLogFormat
{
    /// <summary>One JSON array of payloads per POST (LiteLLM's default).</summary>
    JsonArray,
    /// <summary>One payload per line.</summary>
    Ndjson,
    /// <summary>One POST per payload, the object itself.</summary>
    Single,
}

/// <summary>One <c>callback_settings.&lt;name&gt;</c> of <c>callback_type: generic_api</c> (or the env-configured <c>generic_api</c>).</summary>
internal sealed record GenericApiCallback(
    string Name,
    Uri Endpoint,
    EquatableArray<KeyValuePair<string, string>> Headers,
    bool OnSuccess,
    bool OnFailure,
    GenericLogFormat Format)
{
    /// <summary><c>batch_size</c> (LiteLLM's batch loggers; <c>DEFAULT_BATCH_SIZE</c>): events per POST at most, and a full batch is sent at once.</summary>
    public int? BatchSize { get; init; }
    /// <summary><c>flush_interval</c> in seconds (<c>DEFAULT_FLUSH_INTERVAL_SECONDS</c>): a partial batch waits at most this long.</summary>
    public TimeSpan? FlushInterval { get; init; }
}
