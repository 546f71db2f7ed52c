using BenchmarkDotNet.Attributes;
using EdgeGw.Spend;
using EdgeGw.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGw.Bench;

/// <summary>
/// Spend-writer throughput on this machine's disk: rows (each with its key, team, user and global
/// counter states) enqueued as requests would, then committed; reported per row.
/// </summary>
public class SpendWriterBenchmarks
{
    private const int Rows = 20_000;
    private string _dbPath = "";
    private GatewayData _data = null!;
    private long _sequence;
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [IterationSetup]
    public void Setup()
    {
        _dbPath = Path.Combine(Path.GetTempPath(), $"edgegw-bench-{Guid.NewGuid():N}.db");
        _data = GatewayData.Open(_dbPath, TimeProvider.System, NullLoggerFactory.Instance);
    }

    [IterationCleanup]
    public void Cleanup()
    {
        _data.DisposeAsync().AsTask().GetAwaiter().GetResult();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            File.Delete(_dbPath + suffix);
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    public async Task EnqueueAndCommit()
    {
        var writer = _data.Writer;
        for (var i = 0; i < Rows; i++)
        {
            var seq = ++_sequence;
            var state = new CounterState(seq * 14_000_000, 0, seq);
            await writer.EnqueueAsync(new SpendRow
            {
                RequestId = Guid.CreateVersion7().ToString(), ApiKey = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
                SpendNanos = 14_000_000, PromptTokens = 8, CompletionTokens = 3, StartTime = Now, EndTime = Now,
                Model = "gpt-4o", ModelGroup = "gpt-4o", ModelId = "abc", User = "user", TeamId = "team", Status = "success",
                Counters =
                [
                    new CounterUpdate(CounterTable.Key, "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0", state),
                    new CounterUpdate(CounterTable.Team, "team", state),
                    new CounterUpdate(CounterTable.User, "user", state),
                    new CounterUpdate(CounterTable.Global, "1", state),
                ],
            });
        }
        await writer.FlushAsync();
        if (writer.CommittedRows < Rows)
            throw new InvalidOperationException($"only {writer.CommittedRows} rows committed");
    }
}
