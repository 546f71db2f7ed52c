namespace EdgeGw.Storage;

/// <summary>What one copy of the run-time models wrote: ids the target already held are left as they are; blocked rows are not copied into SQLite, which has no way to keep them blocked.</summary>
internal sealed record ModelCopyCounts(int Copied, int Present, int Blocked);

/// <summary>
/// <c>edgegw db copy</c> of <c>proxy_models</c> / <c>LiteLLM_ProxyModelTable</c>: rows move as stored, ciphertext
/// unchanged (nothing is decrypted), so the same LITELLM_SALT_KEY (or master key) reads them at the other end.
/// Safe to run again: a model id the target holds is skipped.
/// </summary>
internal static class ModelCopy
{
    public static async Task<ModelCopyCounts> RunAsync(IModelStore from, IModelStore to, bool skipBlocked, CancellationToken cancel = default)
    {
        int copied = 0, present = 0, blocked = 0;
        foreach (var row in await from.ListAsync(cancel))
        {
            if (row.Blocked && skipBlocked)
                blocked++;
            else if (await to.InsertAsync(row, cancel))
                copied++;
            else
                present++;
        }
        return new ModelCopyCounts(copied, present, blocked);
    }

    public static string Describe(ModelCopyCounts counts) =>
        $"{counts.Copied} models copied ({counts.Present} already present" + (counts.Blocked > 0 ? $", {counts.Blocked} blocked left out)" : ")");
}
