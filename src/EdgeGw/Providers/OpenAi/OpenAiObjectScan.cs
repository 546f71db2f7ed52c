using System.Text.Json;
using EdgeGw.Json;

namespace EdgeGw.Providers.OpenAi;

/// <summary>
/// One pass over an OpenAI response object or stream chunk: where its <c>model</c> sits (to splice
/// in the client's name), its usage, and whether it is a usage-only chunk or an in-band error.
/// </summary>
internal struct OpenAiObjectScan
{
    public JsonRange Model;
    public bool HasChoices;
    public bool ChoicesEmpty;
    public bool HasError;
    public Usage Usage;
    /// <summary>Escaped bytes of generated text in the choices (see <see cref="GeneratedText"/>).</summary>
    public long GeneratedBytes;

    /// <summary>False when <paramref name="json"/> is not one well-formed JSON object.</summary>
    public static bool TryScan(ReadOnlySpan<byte> json, out OpenAiObjectScan scan)
    {
        scan = default;
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                        scan.Model = new JsonRange((int)reader.TokenStartIndex, (int)reader.BytesConsumed - (int)reader.TokenStartIndex);
                    else
                        reader.Skip();
                }
                else if (reader.ValueTextEquals("choices"u8))
                {
                    reader.Read();
                    scan.HasChoices = reader.TokenType == JsonTokenType.StartArray;
                    if (scan.HasChoices)
                    {
                        reader.Read();
                        scan.ChoicesEmpty = reader.TokenType == JsonTokenType.EndArray;
                        if (!scan.ChoicesEmpty)
                        {
                            scan.GeneratedBytes += GeneratedText.Skip(ref reader);
                            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                                scan.GeneratedBytes += GeneratedText.Skip(ref reader);
                        }
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("usage"u8))
                {
                    reader.Read();
                    OpenAiUsageReader.Read(ref reader, ref scan.Usage);
                }
                else if (reader.ValueTextEquals("error"u8))
                {
                    reader.Read();
                    scan.HasError = reader.TokenType is not JsonTokenType.Null;
                    reader.Skip();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
            return reader.TokenType == JsonTokenType.EndObject && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
