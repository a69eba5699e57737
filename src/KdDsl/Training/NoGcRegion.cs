using System;
using System.Runtime;

namespace KdDsl.Training;

/// <summary>
/// Keeps the garbage collector out of a block of TorchSharp calls.
/// Why: TorchSharp 0.107 converts doubles to native <c>Scalar</c>s implicitly and leaves them to the GC finalizer (see
/// dotnet/TorchSharp PRs #1434 and #1496). When a GC runs while a native call is still using such a temporary, the finalizer can
/// free it under the call: seen here as "Expected false to be true ... toFloat" inside <c>Adam.step</c>, intermittently, when
/// another thread allocated at that moment. Inside this region no GC, hence no finalizer for those temporaries, can run.
/// Cost: one small collection when the region starts (~50 microseconds on 2 cores).
/// </summary>
public readonly struct NoGcRegion : IDisposable
{
    // Enough for the managed wrappers a step creates, with room for other threads' allocations meanwhile.
    private const long Budget = 1024 * 1024;
    private readonly bool entered;

    private NoGcRegion(bool entered) => this.entered = entered;

    /// <summary>Starts a region unless one is active already (regions do not nest).</summary>
    public static NoGcRegion Enter()
    {
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) return default;
        try
        {
            return new NoGcRegion(GC.TryStartNoGCRegion(Budget));
        }
        catch (InvalidOperationException)
        {
            return default; // another thread started one between the check and the call
        }
    }

    /// <summary>Ends the region, unless allocations beyond the budget already ended it.</summary>
    public void Dispose()
    {
        if (entered && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
    }
}
