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
    private SqliteSpendStore _store = null!;
    private long _sequence;
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [IterationSetup]
    public void Setup()
    {
        _dbPath = Path.Combine(Path.GetTempPath(), $"edgegw-bench-{Guid.NewGuid():N}.db");
        _data = GatewayData.Open(_dbPath, TimeProvider.System, NullLoggerFactory.Instance);
        _store = new SqliteSpendStore(_data.Store!);
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
        await EnqueueAsync(Rows);
        await _data.Writer.FlushAsync();
        if (_data.Writer.CommittedRows < Rows)
            throw new InvalidOperationException($"only {_data.Writer.CommittedRows} rows committed");
    }

    /// <summary>
    /// One commit of 70 rows straight into the store (no writer thread, no window), as the writer's 10 ms
    /// window holds them at one connection (≈ 7k requests a second): the rows plus what each commit costs
    /// beyond them — the insert's preparation, the four counter updates, the commit's WAL writes.
    /// </summary>
    [Benchmark(OperationsPerInvoke = 70)]
    public int CommitOf70Rows()
    {
        var batch = new SpendWork[70];
        for (var i = 0; i < batch.Length; i++)
            batch[i] = Row();
        return _store.WriteBatch(batch, static () => false);
    }

    private async Task EnqueueAsync(int rows)
    {
        var writer = _data.Writer;
        for (var i = 0; i < rows; i++)
            await writer.EnqueueAsync(Row());
    }

    private SpendRow Row()
    {
        var seq = ++_sequence;
        var state = new CounterState(seq * 14_000_000, 0, seq);
        return new SpendRow
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
        };
    }
}
