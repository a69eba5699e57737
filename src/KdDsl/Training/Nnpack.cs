using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace KdDsl.Training;

/// <summary>
/// Turns libtorch's NNPACK convolution backend off, as PyTorch's <c>torch.backends.nnpack.set_flags(False)</c> does
/// (TorchSharp 0.107 has no binding for it). On CPUs where NNPACK cannot initialise, libtorch 2.10 tries again and prints
/// "Could not initialize NNPACK! Reason: Unsupported hardware." for every inference convolution (dozens of lines per test
/// run here); with the flag off it never tries. NNPACK is only a candidate for convolutions that need no backward pass and
/// that oneDNN does not take, so training is unaffected and inference falls back to oneDNN or libtorch's own kernels.
/// </summary>
/// <remarks>
/// Linux x64 only: it calls <c>at::globalContext()</c> and <c>at::Context::setUserEnabledNNPACK(bool)</c> in the already
/// loaded <c>libtorch_cpu.so</c> by their Itanium-mangled names (a member function takes <c>this</c> as its first argument);
/// where either symbol is missing it does nothing. KdDsl calls it before the first forward pass of every run
/// (<see cref="ModelChecks.EnsureFits"/>) and when it builds one of its convolutional models.
/// </remarks>
public static class Nnpack
{
    private const string GlobalContext = "_ZN2at13globalContextEv";
    private const string SetUserEnabledNnpack = "_ZN2at7Context20setUserEnabledNNPACKEb";
    private const string UserEnabledNnpack = "_ZNK2at7Context17userEnabledNNPACKEv";

    private static int done;

    /// <summary>What <see cref="Disable"/> did.</summary>
    public static string Status { get; private set; } = "not attempted";

    /// <summary>Turns NNPACK off once per process; later calls return the first call's <see cref="Status"/>. Never throws.</summary>
    public static unsafe string Disable()
    {
        if (Interlocked.Exchange(ref done, 1) == 1) return Status;
        try
        {
            if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
                return Status = "left on: not Linux x64";
            _ = TorchSharp.torch.get_num_threads(); // makes sure libtorch is loaded
            if (!NativeLibrary.TryLoad("libtorch_cpu.so", out IntPtr library)
                || !NativeLibrary.TryGetExport(library, GlobalContext, out IntPtr context)
                || !NativeLibrary.TryGetExport(library, SetUserEnabledNnpack, out IntPtr set)
                || !NativeLibrary.TryGetExport(library, UserEnabledNnpack, out IntPtr get))
                return Status = "left on: libtorch_cpu.so or its NNPACK flag not found";
            IntPtr self = ((delegate* unmanaged<IntPtr>)context)();
            ((delegate* unmanaged<IntPtr, byte, void>)set)(self, 0);
            bool enabled = ((delegate* unmanaged<IntPtr, byte>)get)(self) != 0;
            return Status = enabled ? "left on: the flag did not change" : "off";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or BadImageFormatException)
        {
            return Status = $"left on: {e.GetType().Name}: {e.Message}";
        }
    }
}
