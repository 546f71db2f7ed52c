using System.Buffers;
using System.Text.Json;
using EdgeGw.Auth;
using EdgeGw.Observability.Callbacks;
using EdgeGw.Spend;
using EdgeGw.Storage;

namespace EdgeGw.Tests.Callbacks;

/// <summary>A callback's <c>metadata.spend_logs_metadata</c> is the one the spend log stores: the request's merged with its key's and team's.</summary>
public sealed class PayloadSpendLogsMetadataTests
{
    private static JsonElement Metadata(string? requestJson, string keyMetadata, string teamMetadata)
    {
        var attribution = new RequestAttribution();
        if (requestJson is not null)
            attribution.OfferSpendLogsMetadata(requestJson, overrides: true);
        var row = CallbackRows.Success("req-1") with
        {
            Attribution = attribution,
            Key = new KeySettings { Token = TokenHash.FromKey("sk-key-1"), KeyName = "sk-...ey-1", MetadataJson = keyMetadata },
            Team = new TeamSettings { TeamId = "t1", MetadataJson = teamMetadata },
        };
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
            new StandardLoggingPayloadWriter().Write(json, new CallbackEvent(row, null));
        return JsonDocument.Parse(buffer.WrittenMemory).RootElement.GetProperty("metadata").GetProperty("spend_logs_metadata").Clone();
    }

    [Fact]
    public void KeyAndTeamSpendLogsMetadata_MergedUnderTheRequestsOwn()
    {
        var merged = Metadata("""{"ticket":"T-1","env":"request"}""",
            """{"spend_logs_metadata":{"env":"key","cost_center":"R&D"}}""",
            """{"spend_logs_metadata":{"cost_center":"team","owner":"ops"}}""");

        Assert.Equal("T-1", merged.GetProperty("ticket").GetString());
        Assert.Equal("request", merged.GetProperty("env").GetString());
        Assert.Equal("R&D", merged.GetProperty("cost_center").GetString());
        Assert.Equal("ops", merged.GetProperty("owner").GetString());
    }

    [Fact]
    public void OnlyTheKeyHasSpendLogsMetadata_PayloadCarriesIt()
    {
        var merged = Metadata(null, """{"spend_logs_metadata":{"cost_center":"R&D"}}""", "{}");

        Assert.Equal("R&D", merged.GetProperty("cost_center").GetString());
    }

    [Fact]
    public void NoSpendLogsMetadataAnywhere_IsNull()
    {
        Assert.Equal(JsonValueKind.Null, Metadata(null, "{}", "{}").ValueKind);
    }
}
