using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace KdDsl.Training;

/// <summary>glibc <c>mallopt</c> parameters (malloc.h).</summary>
public enum MallocOption
{
    /// <summary>M_TRIM_THRESHOLD: free memory at the top of the heap above this many bytes is returned to the system.</summary>
    TrimThreshold = -1,

    /// <summary>M_TOP_PAD: extra bytes requested from the system whenever the heap grows.</summary>
    TopPad = -2,

    /// <summary>M_MMAP_THRESHOLD: requests of at least this many bytes get their own mmap (at most 32 MiB on 64-bit).</summary>
    MmapThreshold = -3,

    /// <summary>M_MMAP_MAX: the most requests served by mmap at once; 0 serves every request from the heap.</summary>
    MmapMax = -4,
}

/// <summary>
/// Sets up the C allocator for libtorch's CPU kernels, once per process, without environment variables. With glibc's defaults
/// the large buffers of convolutions are mmap'ed and munmap'ed (or the heap trimmed and regrown) on every step, which made a
/// small-ResNet training step several times slower than PyTorch's, most of it system time (docs/benchmarks.md, (f)).
/// </summary>
/// <remarks>
/// <see cref="Configure"/> runs automatically when the KdDsl assembly is first used (a module initializer), and may be called
/// again (it acts once). On Linux with glibc it calls <c>mallopt</c>: M_MMAP_MAX = 0 (no request is served by its own
/// mmap: large buffers are reused from the heap) and M_TRIM_THRESHOLD = the largest value (the heap is never trimmed, so it is
/// not regrown every step). The process would then keep its peak heap, so the runtime returns free pages explicitly at the
/// ends of phases (<see cref="ReleaseFreeMemory"/>). Elsewhere (other
/// systems, musl) it does nothing. It also does nothing when the process was started with glibc's own settings
/// (<c>MALLOC_MMAP_THRESHOLD_</c>, <c>MALLOC_TRIM_THRESHOLD_</c>, <c>MALLOC_MMAP_MAX_</c>, <c>MALLOC_TOP_PAD_</c> or
/// <c>GLIBC_TUNABLES</c>), or when <c>KDDSL_NATIVE_MEMORY</c> is <c>off</c>. <see cref="Status"/> says what was done.
/// </remarks>
public static class NativeMemory
{
    /// <summary>The environment variable that turns the setting off (<c>off</c>, <c>0</c> or <c>false</c>).</summary>
    public const string EnvironmentVariable = "KDDSL_NATIVE_MEMORY";

    private static readonly string[] GlibcVariables =
        { "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_MAX_", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES" };

    private static int configured;

    /// <summary>What <see cref="Configure"/> did, e.g. "glibc 2.36: M_MMAP_MAX = 0, M_TRIM_THRESHOLD = max".</summary>
    public static string Status { get; private set; } = "not configured yet";

    /// <summary>Whether <see cref="Configure"/> changed the allocator's settings.</summary>
    public static bool Applied { get; private set; }

    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification =
        "The allocator must be set up before libtorch's first large allocation, whichever KdDsl entry point a program uses.")]
    internal static void Initialize() => Configure();

    /// <summary>Applies the allocator settings once per process (later calls do nothing) and returns <see cref="Status"/>. Never throws.</summary>
    public static string Configure()
    {
        if (Interlocked.Exchange(ref configured, 1) == 1) return Status;
        try
        {
            Status = Apply();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or MarshalDirectiveException)
        {
            Status = $"not configured: {e.GetType().Name}: {e.Message}";
        }
        return Status;
    }

    private static string Apply()
    {
        if (!OperatingSystem.IsLinux()) return "nothing to do: not Linux";
        string? setting = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (setting is not null && (setting.Equals("off", StringComparison.OrdinalIgnoreCase) || setting == "0"
            || setting.Equals("false", StringComparison.OrdinalIgnoreCase)))
            return $"off ({EnvironmentVariable}={setting})";
        foreach (string variable in GlibcVariables)
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
                return $"left to the environment ({variable} is set)";
        string? version = GlibcVersion();
        if (version is null) return "nothing to do: not glibc";
        bool mmap = TrySet(MallocOption.MmapMax, 0);
        bool trim = TrySet(MallocOption.TrimThreshold, -1); // glibc stores it as size_t: -1 is SIZE_MAX, never trim
        Applied = mmap || trim;
        return $"glibc {version}: M_MMAP_MAX = 0 {(mmap ? "set" : "refused")}, M_TRIM_THRESHOLD = max {(trim ? "set" : "refused")}";
    }

    /// <summary>
    /// Calls glibc's <c>mallopt(option, value)</c>; false when it refuses the value or the C library is not glibc. For
    /// experiments and benchmarks; <see cref="Configure"/> applies the library's settings.
    /// </summary>
    public static bool TrySet(MallocOption option, int value)
    {
        if (!OperatingSystem.IsLinux() || GlibcVersion() is null) return false;
        return mallopt((int)option, value) == 1;
    }

    /// <summary>
    /// Returns the C heap's free pages to the system (glibc's <c>malloc_trim(0)</c>), since <see cref="Configure"/> turns
    /// automatic trimming off: called at the ends of phases whose large temporaries are gone (a teacher-output cache built, a
    /// training phase done), so that resident memory follows what is live rather than the peak of every earlier phase. Costs
    /// milliseconds; does nothing and returns false where the C library is not glibc.
    /// </summary>
    public static bool ReleaseFreeMemory()
    {
        if (!OperatingSystem.IsLinux() || GlibcVersion() is null) return false;
        malloc_trim(UIntPtr.Zero);
        return true;
    }

    /// <summary>The glibc version ("2.36"), or null when the process does not run on glibc.</summary>
    public static string? GlibcVersion()
    {
        if (!OperatingSystem.IsLinux()) return null;
        if (!NativeLibrary.TryLoad("libc.so.6", out IntPtr libc)) return null;
        if (!NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out IntPtr _)
            || !NativeLibrary.TryGetExport(libc, "mallopt", out IntPtr _)) return null;
        return Marshal.PtrToStringUTF8(gnu_get_libc_version());
    }

    [DllImport("libc.so.6", ExactSpelling = true)]
    private static extern int mallopt(int param, int value);

    [DllImport("libc.so.6", ExactSpelling = true)]
    private static extern IntPtr gnu_get_libc_version();

    [DllImport("libc.so.6", ExactSpelling = true)]
    private static extern int malloc_trim(UIntPtr pad);
}
