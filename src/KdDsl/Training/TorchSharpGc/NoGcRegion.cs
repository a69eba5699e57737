using System;
using System.Runtime;

namespace KdDsl.Training;

/// <summary>
/// Keeps the garbage collector out of training steps.
/// Why: TorchSharp 0.107 converts doubles to native <c>Scalar</c>s implicitly and leaves them to the GC finalizer (see
/// dotnet/TorchSharp PRs #1434 and #1496). When a GC runs while a native call is still using such a temporary, the finalizer can
/// free it under the call: seen here as "Expected false to be true ... toFloat" inside <c>Adam.step</c>, intermittently, when
/// another thread allocated at that moment. Inside a no-GC region no GC, hence no finalizer for those temporaries, can run.
/// <para>
/// How: starting a region costs a blocking collection (about 50 microseconds on 2 cores), so training loops do not start one
/// per step. <see cref="Enter"/> starts one region with room for many steps (<see cref="RegionBudget"/>) and later steps
/// join it, each step starting only while at least <see cref="StepReserve"/> of the budget is left: the same guarantee as a
/// region of <see cref="StepReserve"/> per step (which this class used to start). When less is left, the region is ended at
/// the end of a step (a collection between steps is harmless: no native call is in flight on the loop's thread, and only
/// temporaries of finished calls are garbage) and the next step starts a new one. <see cref="Leave"/> ends the region
/// after a loop's steps (the generated loops call it before evaluating and checkpointing), and <see cref="LossGuard"/> before
/// it throws. A region left open by another exception ends by itself once its budget is allocated.
/// </para>
/// </summary>
public readonly struct NoGcRegion : IDisposable
{
    /// <summary>What one step may allocate, at most (managed wrappers, scalars, other threads' allocations meanwhile).</summary>
    public const long StepReserve = 1024 * 1024;

    /// <summary>The budget of a region shared by consecutive steps.</summary>
    public const long RegionBudget = 16 * StepReserve;

    private static readonly object Gate = new();
    private static bool shared; // the active region (if any) is one this class started for steps
    private static long sharedStart; // GC.GetTotalAllocatedBytes when it started
    private static long sharedBudget;

    private readonly byte kind; // 0: nothing to do; 1: a step of the shared region; 2: a block that ends its own region

    private NoGcRegion(byte kind) => this.kind = kind;

    private static bool Active => GCSettings.LatencyMode == GCLatencyMode.NoGCRegion;

    /// <summary>
    /// Makes sure one step runs in a no-GC region with at least <see cref="StepReserve"/> left: joins the shared region,
    /// or starts one. Regions do not nest: inside a region someone else started, this does nothing.
    /// </summary>
    public static NoGcRegion Enter()
    {
        lock (Gate)
        {
            if (Active)
            {
                if (!shared) return default;
                if (sharedBudget - (GC.GetTotalAllocatedBytes() - sharedStart) >= StepReserve) return new NoGcRegion(1);
                End();
            }
            shared = false;
            foreach (long budget in new[] { RegionBudget, 4 * StepReserve, StepReserve })
            {
                try
                {
                    if (!GC.TryStartNoGCRegion(budget)) return default;
                    (shared, sharedStart, sharedBudget) = (true, GC.GetTotalAllocatedBytes(), budget);
                    return new NoGcRegion(1);
                }
                catch (ArgumentOutOfRangeException)
                {
                    // a budget larger than this GC configuration allows: try a smaller one
                }
                catch (InvalidOperationException)
                {
                    return default; // another thread started one between the check and the call
                }
            }
            return default;
        }
    }

    /// <summary>A region of its own for one block of calls (ended when disposed), unless a region is active already.</summary>
    public static NoGcRegion EnterBlock()
    {
        lock (Gate)
        {
            if (Active) return default;
            try
            {
                return GC.TryStartNoGCRegion(StepReserve) ? new NoGcRegion(2) : default;
            }
            catch (InvalidOperationException)
            {
                return default;
            }
        }
    }

    /// <summary>Ends the shared step region, if one is active (call after a loop's last step).</summary>
    public static void Leave()
    {
        lock (Gate)
        {
            if (shared && Active) End();
            shared = false;
        }
    }

    /// <summary>
    /// For a step: ends the shared region when less than <see cref="StepReserve"/> of it is left (the next step starts a new
    /// one). For a block: ends its region, unless allocations beyond the budget already ended it.
    /// </summary>
    public void Dispose()
    {
        if (kind == 0) return;
        lock (Gate)
        {
            if (!Active) return;
            if (kind == 2 && !shared) End();
            else if (kind == 1 && shared && sharedBudget - (GC.GetTotalAllocatedBytes() - sharedStart) < StepReserve) End();
        }
    }

    private static void End()
    {
        shared = false;
        try
        {
            GC.EndNoGCRegion();
        }
        catch (InvalidOperationException)
        {
            // the region already ended (its budget was exceeded, or a collection was induced)
        }
    }
}
