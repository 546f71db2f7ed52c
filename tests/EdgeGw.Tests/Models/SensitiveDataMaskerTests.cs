using System.Text.Json;
using EdgeGw.Ops;

namespace EdgeGw.Tests.Models;

/// <summary>The masking /model/info applies to litellm_params, as LiteLLM's SensitiveDataMasker.</summary>
public sealed class SensitiveDataMaskerTests
{
    [Theory]
    [InlineData("aws_session_token", true)]
    [InlineData("azure-ad-token", true)]
    [InlineData("vertex_credentials", true)]
    [InlineData("Authorization", true)]
    [InlineData("input_cost_per_token", false)]
    [InlineData("max_tokens", false)]
    [InlineData("api_base", false)]
    [InlineData("keys", false)]
    public void SecretWordAsASegment_MakesTheKeySensitive(string key, bool sensitive) =>
        Assert.Equal(sensitive, SensitiveDataMasker.IsSensitiveKey(key));

    [Theory]
    [InlineData("", "")]
    [InlineData("short", "*****")]
    [InlineData("12345678", "********")]
    [InlineData("sk-1234567890abcdef", "sk-1***********cdef")]
    public void Mask_KeepsFourEachEndOnlyPastEight(string value, string masked) =>
        Assert.Equal(masked, SensitiveDataMasker.Mask(value));

    [Fact]
    public void MappingParam_IsMaskedKeyByKeyAndDroppedCredentialsAreAbsent()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            SensitiveDataMasker.Write(json, "aws_secret_access_key", "wJalrXUtnFEMI/K7MDENG");
            SensitiveDataMasker.Write(json, "client_secret", "client-secret-value");
            SensitiveDataMasker.Write(json, "metadata", """{"region":"eu","auth":{"password":"hunter2-long-password"},"tags":["a"]}""");
            json.WriteEndObject();
        }
        var text = System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);

        Assert.Equal("""{"metadata":{"region":"eu","auth":{"password":"hunt*************word"},"tags":["a"]}}""", text);
    }
}
