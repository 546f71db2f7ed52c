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
        Sha1Hex = System.Text.Encoding.ASCII.GetBytes(Convert.ToHexStringLower(_sha1));
    }

    // The SHA1 as EVALSHA names it (lower-case hex, ASCII), for the admission line.
    private byte[] Sha1Hex { get; }

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
