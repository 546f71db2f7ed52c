using System.Reflection;
using System.Runtime.InteropServices;

namespace EdgeGw.Storage;

/// <summary>
/// The native binary links SQLite and libsodium statically (DirectPInvoke), so nothing is resolved at
/// run time; under JIT (build/test) a library name is mapped to the system's shared copy instead.
/// </summary>
internal static class JitNativeLibrary
{
    public static void Map(Assembly assembly, string name, string[] candidates)
    {
        if (!System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported)
            return;
        NativeLibrary.SetDllImportResolver(assembly, (requested, from, path) =>
        {
            if (!string.Equals(requested, name, StringComparison.Ordinal))
                return IntPtr.Zero;
            foreach (var candidate in candidates)
            {
                if (NativeLibrary.TryLoad(candidate, from, path, out var handle))
                    return handle;
            }
            return IntPtr.Zero;
        });
    }
}
