namespace EdgeGw.Providers.Vertex;

/// <summary>Vertex AI constants: its locations, and what Claude on Vertex expects in place of Anthropic's headers.</summary>
internal static class VertexWire
{
    /// <summary>LiteLLM's location when neither <c>vertex_location</c> nor <c>VERTEXAI_LOCATION</c> names one.</summary>
    public const string DefaultLocation = "us-central1";

    /// <summary>The location served from <c>aiplatform.googleapis.com</c> rather than a <c>{location}-</c> host.</summary>
    public const string GlobalLocation = "global";

    /// <summary>Claude on Vertex takes the Messages API version in the body (and no <c>model</c> there).</summary>
    public const string AnthropicVersion = "vertex-2023-10-16";

    public const string GenerateMethod = "generateContent";
    public const string StreamMethod = "streamGenerateContent";
    public const string RawPredictMethod = "rawPredict";
    public const string StreamRawPredictMethod = "streamRawPredict";
    public const string PredictMethod = "predict";
}
