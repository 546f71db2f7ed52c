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

    /// <summary>The SHA1 as EVALSHA names it (lower-case hex, ASCII).</summary>
    public byte[] Sha1Hex { get; }

    public static RedisScript Embedded(string name)
    {
        using var stream = typeof(RedisScript).Assembly.GetManifestResourceStream($"EdgeGw.Shared.Scripts.{name}")
            ?? throw new InvalidOperationException($"embedded script {name} is missing");
        using var reader = new StreamReader(stream);
        return new RedisScript(reader.ReadToEnd());
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
