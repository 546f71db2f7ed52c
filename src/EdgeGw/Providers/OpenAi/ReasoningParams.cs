using System.Text;
using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Config;
using EdgeGw.Json;
using EdgeGw.Upstream;

namespace EdgeGw.Providers.OpenAi;

/// <summary>
/// LiteLLM's parameter mapping for OpenAI's reasoning models (<c>gpt_5_transformation.py</c>,
/// <c>o_series_transformation.py</c>), as splice edits on the client's body:
/// <list type="bullet">
/// <item><c>max_tokens</c> is renamed <c>max_completion_tokens</c> (which wins when both are sent);</item>
/// <item>parameters the family rejects are a 400 naming them, or dropped under <c>drop_params</c>;</item>
/// <item><c>temperature</c> other than 1 likewise, except on gpt-5.1+ with no reasoning effort or "none";</item>
/// <item>on gpt-5.1+, <c>top_p</c>/<c>logprobs</c>/<c>top_logprobs</c> only with effort "none".</item>
/// </list>
/// A null value is dropped, as LiteLLM never sends one. Built once per deployment; a request costs
/// one scan of its top-level keys, and a second only when something is edited. For every other
/// OpenAI-format model only LiteLLM's own <c>drop_params</c> switch is removed (OpenAI rejects unknown
/// arguments); the adapters that translate read it from the body, so it stays there until here.
/// </summary>
internal sealed class ReasoningParams
{
    private static readonly ReadOnlyMemory<byte> MaxCompletionTokensName = "\"max_completion_tokens\""u8.ToArray();

    private enum Param : byte
    {
        Other, MaxTokens, MaxCompletionTokens, Temperature, ReasoningEffort, DropParams,
        TopP, Logprobs, TopLogprobs, PresencePenalty, FrequencyPenalty, Stop, LogitBias,
        Modalities, Prediction, Audio, WebSearchOptions,
    }

    private const int ParamCount = (int)Param.WebSearchOptions + 1;
    private const int SamplingParams = (1 << (int)Param.TopP) | (1 << (int)Param.Logprobs) | (1 << (int)Param.TopLogprobs);

    private static readonly string[] Names =
    [
        "", "max_tokens", "max_completion_tokens", "temperature", "reasoning_effort", "drop_params",
        "top_p", "logprobs", "top_logprobs", "presence_penalty", "frequency_penalty", "stop", "logit_bias",
        "modalities", "prediction", "audio", "web_search_options",
    ];

    private static readonly byte[][] Utf8Names = [.. Names.Select(Encoding.UTF8.GetBytes)];

    private readonly OpenAiModelFamily _family;
    private readonly bool _supportsNoneEffort;
    private readonly int _unsupported;
    private readonly string _provider;
    private readonly string _model;

    private ReasoningParams(OpenAiModelFamily family, Deployment deployment)
    {
        _family = family;
        _provider = deployment.Provider;
        _model = deployment.ModelId;
        _supportsNoneEffort = family == OpenAiModelFamily.Gpt5 && OpenAiModelFamilies.SupportsNoneEffort(deployment.ModelId);
        _unsupported = family == OpenAiModelFamily.Standard ? 0
            : family == OpenAiModelFamily.OSeries
            ? Mask(Param.Logprobs, Param.TopP, Param.PresencePenalty, Param.FrequencyPenalty, Param.TopLogprobs)
            : Mask(Param.PresencePenalty, Param.FrequencyPenalty, Param.Stop, Param.LogitBias, Param.Modalities,
                Param.Prediction, Param.Audio, Param.WebSearchOptions) | (_supportsNoneEffort ? 0 : SamplingParams);
    }

    /// <summary>The rule for <paramref name="deployment"/>'s model.</summary>
    public static ReasoningParams For(Deployment deployment) => new(OpenAiModelFamilies.Of(deployment), deployment);

    /// <summary>
    /// The edits <paramref name="body"/> needs for this model (null when none), or the 400 for a
    /// parameter it cannot take while <c>drop_params</c> is off (in config or in the body).
    /// </summary>
    public GatewayError? Edit(ReadOnlySpan<byte> body, bool dropParams, out List<Splice>? edits)
    {
        edits = null;
        // Other models' parameters go as sent: one vectorised search decides, no JSON read.
        if (_family == OpenAiModelFamily.Standard && body.IndexOf("\"drop_params\""u8) < 0)
            return null;
        Span<JsonRange> values = stackalloc JsonRange[ParamCount];
        var scan = Scan(body, values);
        if (!scan.Ok)
            return null; // the request parser already accepted it; nothing to edit in what it cannot read
        var dropSwitch = scan.DropParamsKey ? Mask(Param.DropParams) : 0;
        if (_family == OpenAiModelFamily.Standard)
        {
            edits = dropSwitch == 0 ? null : Splices(body, dropSwitch, rename: false);
            return null;
        }
        var present = scan.Present;
        if ((present | scan.Nulls | dropSwitch) == 0)
            return null;
        dropParams |= scan.DropParams;

        var drop = scan.Nulls | dropSwitch;
        var unsupported = present & _unsupported;
        if (unsupported != 0)
        {
            if (!dropParams)
                return UnsupportedError(body, values, unsupported);
            drop |= unsupported;
        }

        var rename = false;
        if (Has(present, Param.MaxTokens))
        {
            if (Has(present, Param.MaxCompletionTokens))
                drop |= Mask(Param.MaxTokens);
            else
                rename = true;
        }

        var effortAllowsSampling = scan.Effort is EffortKind.Absent or EffortKind.None;
        if (_supportsNoneEffort && (present & SamplingParams) != 0 && !effortAllowsSampling)
        {
            if (!dropParams)
                return GatewayError.BadRequest(
                    $"gpt-5.1/5.2/5.4 only support logprobs, top_p, top_logprobs when reasoning_effort='none'. Current reasoning_effort='{Text(body, values[(int)Param.ReasoningEffort]).Trim('"')}'. To drop unsupported params set `litellm.drop_params = True`",
                    FirstName(present & SamplingParams));
            drop |= SamplingParams & present;
        }

        if (Has(present, Param.Temperature) && !(scan.Temperature == 1 || (_supportsNoneEffort && effortAllowsSampling)))
        {
            if (!dropParams)
                return TemperatureError(Text(body, values[(int)Param.Temperature]));
            drop |= Mask(Param.Temperature);
        }

        if (drop == 0 && !rename)
            return null;
        edits = Splices(body, drop, rename);
        return null;
    }

    private enum EffortKind : byte { Absent, None, Other }

    private ref struct ScanResult
    {
        public bool Ok;
        public int Present;
        public int Nulls;
        public bool DropParams;
        /// <summary>The body names <c>drop_params</c> at all (true, false or null): the key is removed.</summary>
        public bool DropParamsKey;
        public double Temperature;
        public EffortKind Effort;
    }

    /// <summary>First pass: which parameters are present (non-null), which are null, and the values the rules read.</summary>
    private static ScanResult Scan(ReadOnlySpan<byte> body, Span<JsonRange> values)
    {
        var result = new ScanResult();
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return result;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var param = Identify(ref reader);
                reader.Read();
                var start = (int)reader.TokenStartIndex;
                if (param == Param.Other)
                {
                    reader.Skip();
                    continue;
                }
                var bit = Mask(param);
                result.DropParamsKey |= param == Param.DropParams;
                if (reader.TokenType == JsonTokenType.Null)
                {
                    result.Nulls |= bit;
                    result.Present &= ~bit;
                    continue;
                }
                result.Present |= bit;
                result.Nulls &= ~bit;
                switch (param)
                {
                    case Param.Temperature:
                        result.Temperature = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var t) ? t : double.NaN;
                        break;
                    case Param.DropParams:
                        result.DropParams = reader.TokenType == JsonTokenType.True;
                        break;
                    case Param.ReasoningEffort:
                        result.Effort = EffortOf(ref reader);
                        break;
                }
                reader.Skip();
                values[(int)param] = new JsonRange(start, (int)reader.BytesConsumed - start);
            }
            result.Ok = true;
        }
        catch (JsonException)
        {
        }
        // drop_params is LiteLLM's own switch, never a parameter to edit.
        result.Present &= ~Mask(Param.DropParams);
        result.Nulls &= ~Mask(Param.DropParams);
        return result;
    }

    /// <summary>A string, or the chat form of the Responses API object (<c>{"effort": "high"}</c>).</summary>
    private static EffortKind EffortOf(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
            return reader.ValueTextEquals("none"u8) ? EffortKind.None : EffortKind.Other;
        if (reader.TokenType != JsonTokenType.StartObject)
            return EffortKind.Other;
        var copy = reader;
        while (copy.Read() && copy.TokenType == JsonTokenType.PropertyName)
        {
            var isEffort = copy.ValueTextEquals("effort"u8);
            copy.Read();
            if (isEffort && copy.TokenType == JsonTokenType.String)
                return copy.ValueTextEquals("none"u8) ? EffortKind.None : EffortKind.Other;
            copy.Skip();
        }
        return EffortKind.Other;
    }

    /// <summary>
    /// Second pass: a dropped key goes with the comma that joined it to a kept neighbour (the one
    /// before it, or after it when it leads the object), so any set of drops leaves valid JSON.
    /// </summary>
    private static List<Splice> Splices(ReadOnlySpan<byte> body, int drop, bool rename)
    {
        var edits = new List<Splice>(4);
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
        reader.Read();
        int lastKeptEnd = -1, runStart = -1, runEnd = -1;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var nameStart = (int)reader.TokenStartIndex;
            var nameLength = reader.ValueSpan.Length + 2;
            var param = Identify(ref reader);
            reader.Read();
            reader.Skip();
            var valueEnd = (int)reader.BytesConsumed;
            if (param != Param.Other && Has(drop, param))
            {
                if (runStart < 0)
                    runStart = lastKeptEnd >= 0 ? lastKeptEnd : nameStart;
                runEnd = valueEnd;
                continue;
            }
            if (runStart >= 0)
            {
                // A leading run takes its trailing comma (up to this name); a later one took the comma before it.
                edits.Add(new Splice(runStart, (lastKeptEnd < 0 ? nameStart : runEnd) - runStart, ReadOnlyMemory<byte>.Empty));
                runStart = -1;
            }
            if (rename && param == Param.MaxTokens)
                edits.Add(new Splice(nameStart, nameLength, MaxCompletionTokensName));
            lastKeptEnd = valueEnd;
        }
        if (runStart >= 0)
            edits.Add(new Splice(runStart, runEnd - runStart, ReadOnlyMemory<byte>.Empty));
        return edits;
    }

    private static Param Identify(ref Utf8JsonReader reader)
    {
        for (var i = 1; i < Utf8Names.Length; i++)
        {
            if (reader.ValueTextEquals(Utf8Names[i]))
                return (Param)i;
        }
        return Param.Other;
    }

    private GatewayError UnsupportedError(ReadOnlySpan<byte> body, ReadOnlySpan<JsonRange> values, int unsupported)
    {
        var list = new StringBuilder();
        for (var i = 1; i < ParamCount; i++)
        {
            if ((unsupported & (1 << i)) == 0)
                continue;
            if (list.Length > 0)
                list.Append(", ");
            list.Append('\'').Append(Names[i]).Append("': ").Append(Text(body, values[i]));
        }
        return GatewayError.BadRequest(
            $"{_provider} does not support parameters: {{{list}}}, for model={_model}. To drop these, set `litellm.drop_params=True` or for proxy:\n\n`litellm_settings:\n drop_params: true`\n",
            FirstName(unsupported));
    }

    private GatewayError TemperatureError(string value) => GatewayError.BadRequest(
        _family == OpenAiModelFamily.OSeries
            ? $"O-series models don't support temperature={value}. Only temperature=1 is supported. To drop unsupported openai params from the call, set `litellm.drop_params = True`"
            : $"gpt-5 models (including gpt-5-codex) don't support temperature={value}. Only temperature=1 is supported. For gpt-5.1, temperature is supported when reasoning_effort='none' (or not specified, as it defaults to 'none'). To drop unsupported params set `litellm.drop_params = True`",
        "temperature");

    private static string Text(ReadOnlySpan<byte> body, JsonRange range) =>
        range.IsEmpty ? "" : Encoding.UTF8.GetString(body.Slice(range.Start, range.Length));

    private static string FirstName(int mask)
    {
        for (var i = 1; i < ParamCount; i++)
        {
            if ((mask & (1 << i)) != 0)
                return Names[i];
        }
        return "";
    }

    private static bool Has(int mask, Param param) => (mask & (1 << (int)param)) != 0;

    private static int Mask(Param param) => 1 << (int)param;

    private static int Mask(params ReadOnlySpan<Param> ps)
    {
        var mask = 0;
        foreach (var p in ps)
            mask |= 1 << (int)p;
        return mask;
    }
}
