using System.Text.Encodings.Web;
using System.Text.Json;

namespace EdgeGw.Json;

internal static class JsonOptions
{
    /// <summary>
    /// Responses are JSON API bodies, never HTML: escape only what JSON requires, as the providers do,
    /// so text like "don't" or "&lt;b&gt;" reaches clients byte-for-byte as they would get it upstream.
    /// </summary>
    public static readonly JsonWriterOptions Writer = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
