using BenchmarkDotNet.Attributes;
using EdgeGw.Auth;
using EdgeGw.Routing;
using EdgeGw.Spend;
using EdgeGw.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGw.Bench;

/// <summary>
/// What keys add to every model request: the virtual-key lookup (SHA-256 + cache), the model
/// allowlist and the budget check for key, team, user and proxy — against the master-key check
/// alone as the baseline.
/// </summary>
public class KeyCheckBenchmarks
{
    private const string Master = "sk-bench-master";
    private string _dbPath = "";
    private GatewayData _data = null!;
    private Authenticator _auth = null!;
    private DefaultHttpContext _masterContext = null!;
    private DefaultHttpContext _keyContext = null!;
    private readonly GlobalBudget _global = new(Money.ToNanos(1000), null);

    [GlobalSetup]
    public void Setup()
    {
        _dbPath = Path.Combine(Path.GetTempPath(), $"edgegw-bench-{Guid.NewGuid():N}.db");
        _data = GatewayData.Open(_dbPath, TimeProvider.System, NullLoggerFactory.Instance);
        var now = DateTimeOffset.UtcNow;
        _data.Accounts.Teams["team"] = new Account<TeamSettings>(new TeamSettings { TeamId = "team", Models = ["gpt-4o", "claude"], MaxBudgetNanos = Money.ToNanos(500) }, new SpendCounter());
        _data.Accounts.Users["user"] = new Account<UserSettings>(new UserSettings { UserId = "user", MaxBudgetNanos = Money.ToNanos(500) }, new SpendCounter());
        // A cache of 10,000 keys, as a busy deployment might hold.
        string key = "";
        for (var i = 0; i < 10_000; i++)
        {
            key = VirtualKeyGenerator.NewKey();
            var settings = new KeySettings
            {
                Token = TokenHash.FromKey(key), KeyName = VirtualKeyGenerator.Abbreviate(key), TeamId = "team", UserId = "user",
                Models = ["gpt-4o"], MaxBudgetNanos = Money.ToNanos(100), CreatedAt = now, UpdatedAt = now,
            };
            _data.Accounts.Keys[settings.Token] = new KeyAccount(settings, new SpendCounter());
        }
        _auth = new Authenticator(Master, _data.Accounts, TimeProvider.System);
        _masterContext = Context(Master);
        _keyContext = Context(key);
        _auth.Authenticate(_keyContext, out _caller);
    }

    private Caller _caller = null!;

    private static DefaultHttpContext Context(string key)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Authorization = "Bearer " + key;
        return context;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _data.DisposeAsync().AsTask().GetAwaiter().GetResult();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            File.Delete(_dbPath + suffix);
    }

    [Benchmark(Baseline = true)]
    public bool MasterKey_Authenticate() => _auth.Authenticate(_masterContext, out _) is null;

    [Benchmark]
    public bool VirtualKey_AuthenticateAllowlistAndBudgets()
    {
        if (_auth.Authenticate(_keyContext, out var caller) is not null)
            return false;
        return ModelAccess.Check(caller, _data.Accounts, AccessGroups.Empty, "gpt-4o") is null && _data.Ledger.Check(caller, _global) is null;
    }

    [Benchmark]
    public bool VirtualKey_AllowlistAndBudgetsOnly() => ModelAccess.Check(_caller, _data.Accounts, AccessGroups.Empty, "gpt-4o") is null && _data.Ledger.Check(_caller, _global) is null;
}
