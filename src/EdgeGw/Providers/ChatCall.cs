using EdgeGw.Api;
using EdgeGw.Api.Messages;
using EdgeGw.Providers.OpenAi;
using EdgeGw.Routing;

namespace EdgeGw.Providers;

/// <summary>The API a client spoke, and so the format every answer to it must take.</summary>
internal enum ClientFormat : byte
{
    /// <summary><c>/v1/chat/completions</c>.</summary>
    OpenAi,
    /// <summary><c>/v1/messages</c>.</summary>
    Anthropic,
    /// <summary><c>/v1/responses</c>.</summary>
    Responses,
    /// <summary><c>/v1/completions</c> on a model that only chats: answered as <c>text_completion</c>.</summary>
    TextCompletion,
}

/// <summary>
/// One client chat request on its way to a deployment. The body is always in OpenAI's chat format
/// (the canonical request); an Anthropic-format client's request was translated into it, and its
/// original bytes are kept in <see cref="AnthropicBody"/> for <c>anthropic/</c> deployments.
/// </summary>
internal sealed class ChatCall(HttpContext http, ReadOnlyMemory<byte> body, ChatRequest request, ModelGroup group)
{
    public HttpContext Http { get; } = http;
    /// <summary>The request as an OpenAI chat body.</summary>
    public ReadOnlyMemory<byte> Body { get; } = body;
    public ChatRequest Request { get; } = request;
    /// <summary>The group the client named; its <see cref="ModelGroup.NameJson"/> is the <c>model</c> the client sees.</summary>
    public ModelGroup Group { get; } = group;
    public ClientFormat Format { get; init; } = ClientFormat.OpenAi;
    /// <summary>The client's own Anthropic Messages body, when <see cref="Format"/> is Anthropic.</summary>
    public ReadOnlyMemory<byte> AnthropicBody { get => _other?.AnthropicBody ?? default; init => Other.AnthropicBody = value; }
    /// <summary>The client's own Responses body, when <see cref="Format"/> is Responses (what OpenAI and Azure deployments get).</summary>
    public ReadOnlyMemory<byte> ResponsesBody { get => _other?.ResponsesBody ?? default; init => Other.ResponsesBody = value; }
    /// <summary>What a Responses-format answer repeats (id, model, creation time, the request's echo), when <see cref="Format"/> is Responses.</summary>
    public Api.Responses.ResponsesStreamHead? ResponsesHead { get => _other?.ResponsesHead; init => Other.ResponsesHead = value; }
    /// <summary>Where a <c>store: true</c> Responses turn is recorded once answered; null when not stored.</summary>
    public Api.Responses.ResponsesTurn? ResponsesTurn { get => _other?.ResponsesTurn; init => Other.ResponsesTurn = value; }

    // What only Anthropic- and Responses-format clients carry, in an object of its own: an OpenAI client's call
    // (the common one, made per attempt) is 48 B smaller without it.
    private sealed class OtherFormats
    {
        public ReadOnlyMemory<byte> AnthropicBody;
        public ReadOnlyMemory<byte> ResponsesBody;
        public Api.Responses.ResponsesStreamHead? ResponsesHead;
        public Api.Responses.ResponsesTurn? ResponsesTurn;
    }

    private OtherFormats? _other;
    private OtherFormats Other => _other ??= new OtherFormats();

    /// <summary>
    /// A non-streamed answer ending in <c>content_filter</c> is an error to fall back on (a
    /// content-policy fallback is configured for the group; see <see cref="FilteredAnswer"/>).
    /// </summary>
    public bool FilteredAnswerFallsBack { get; init; }

    public OpenAiChunkEncoder OpenAiEncoder(TimeProvider time) => new(Group.NameJson, Request.ClientWantsUsage, time);

    public AnthropicEventEncoder AnthropicEncoder() => new(Group.NameJson, Request.EstimatedPromptTokens);

    public Api.Completions.TextCompletionEncoder TextCompletionEncoder(TimeProvider time) => new(Group.NameJson, Request.ClientWantsUsage, time);

    public Api.Responses.ResponsesEventEncoder ResponsesEncoder() => new(ResponsesHead!) { Turn = ResponsesTurn };

    /// <summary>
    /// The request's bill. Adapters that know the usage of a non-streamed answer before writing it
    /// may call <c>Accounting?.ReportUsage(usage)</c> first, so the response carries its cost header.
    /// </summary>
    public Spend.RequestAccounting? Accounting { get; init; }
}
