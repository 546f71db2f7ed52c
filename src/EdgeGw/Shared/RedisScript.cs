using System.Security.Cryptography;
using StackExchange.Redis;

namespace EdgeGw.Shared;

/// <summary>
/// A Lua script embedded in the binary (<c>Shared/Scripts/*.lua</c>), run by its SHA1 (EVALSHA): the
/// body crosses the wire only when the server does not know it yet (NOSCRIPT after a restart or a
/// SCRIPT FLUSH), and that EVAL caches it again.
/// </summary>
internal sealed class RedisScript
{
    private readonly string _body;
    private readonly byte[] _sha1;

    private RedisScript(string body)
    {
        _body = body;
        _sha1 = SHA1.HashData(System.Text.Encoding.UTF8.GetBytes(body));
        var hex = Convert.ToHexStringLower(_sha1);
        Sha1Hex = System.Text.Encoding.ASCII.GetBytes(hex);
        // Named by the body's hash: replicas of another release load their own library and never replace this one.
        FunctionName = System.Text.Encoding.ASCII.GetBytes("edgegw_" + hex);
        Library = $"#!lua name=edgegw_{hex}\nredis.register_function('edgegw_{hex}', function(KEYS, ARGV)\n{body}\nend)\n";
    }

    // The SHA1 as EVALSHA names it (lower-case hex, ASCII), for the admission line.
    private byte[] Sha1Hex { get; }

    /// <summary>The same script as a Redis 7 function (FUNCTION LOAD), which SCRIPT FLUSH does not remove.</summary>
    public string Library { get; }

    /// <summary>The function's name for FCALL (ASCII).</summary>
    public byte[] FunctionName { get; }

    public static RedisScript Embedded(string name)
    {
        using var stream = typeof(RedisScript).Assembly.GetManifestResourceStream($"EdgeGw.Shared.Scripts.{name}")
            ?? throw new InvalidOperationException($"embedded script {name} is missing");
        using var reader = new StreamReader(stream);
        return new RedisScript(reader.ReadToEnd());
    }

    /// <summary>
    /// The script's integer reply, over the admission line when it is up (<paramref name="line"/>), else over
    /// <paramref name="database"/>; a NOSCRIPT on the line (the script did not run) goes over the database
    /// too, whose EVAL caches the script again.
    /// </summary>
    public Task<long[]> RunAsync(RedisAdmitLine? line, IDatabaseAsync database, RedisKey[] keys, RedisValue[] values)
    {
        if (line?.TryEvalSha(Sha1Hex, keys, values) is not { } call)
            return ViaDatabaseAsync(database, keys, values);
        return call.IsCompletedSuccessfully ? call : AfterLineAsync(call, database, keys, values);
    }

    /// <summary>
    /// Runs the script as the line's function with its reply skipped (nothing to read, no wake-up): true once sent.
    /// False when the line is down or the server has no functions (Redis before 7): the caller runs it with a reply.
    /// </summary>
    /// <exception cref="IOException">The connection broke while sending: it may or may not have run.</exception>
    public bool TryRunUnread(RedisAdmitLine? line, RedisKey[] keys, RedisValue[] values) =>
        line?.TryCallUnread(this, keys, values) ?? false;

    private async Task<long[]> AfterLineAsync(Task<long[]> call, IDatabaseAsync database, RedisKey[] keys, RedisValue[] values)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (RedisReplyException e) when (e.NoScript)
        {
            return await ViaDatabaseAsync(database, keys, values).ConfigureAwait(false);
        }
    }

    // An array reply (admit.lua) as it is; a single integer (settle.lua's 0) as an array of one.
    private async Task<long[]> ViaDatabaseAsync(IDatabaseAsync database, RedisKey[] keys, RedisValue[] values)
    {
        var result = await EvaluateAsync(database, keys, values).ConfigureAwait(false);
        return result.Length < 0 ? [(long)result] : (long[])result!;
    }

    public async Task<RedisResult> EvaluateAsync(IDatabaseAsync database, RedisKey[] keys, RedisValue[] values)
    {
        try
        {
            return await database.ScriptEvaluateAsync(_sha1, keys, values).ConfigureAwait(false);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await database.ScriptEvaluateAsync(_body, keys, values).ConfigureAwait(false);
        }
    }
}
