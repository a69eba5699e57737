using System;
using KdDsl.Training;
using Xunit;

namespace KdDsl.Tests.Training;

/// <summary>The process-wide native setup the library does by itself: glibc malloc options and NNPACK off.</summary>
public sealed class NativeSetupTests
{
    [Fact]
    public void The_allocator_is_configured_when_the_library_loads_on_linux_glibc()
    {
        string status = NativeMemory.Configure(); // already done by the module initializer: returns its status
        Assert.Equal(status, NativeMemory.Configure());
        if (!OperatingSystem.IsLinux() || NativeMemory.GlibcVersion() is null)
        {
            Assert.False(NativeMemory.Applied);
            return;
        }
        if (Environment.GetEnvironmentVariable(NativeMemory.EnvironmentVariable) is "off"
            || Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null)
            return; // turned off by whoever runs the tests
        Assert.True(NativeMemory.Applied, status);
        Assert.Contains("M_MMAP_MAX = 0 set", status);
        Assert.Contains("M_TRIM_THRESHOLD = max set", status);
        Assert.True(NativeMemory.TrySet(MallocOption.MmapMax, 0)); // setting it again is harmless
    }

    [Fact]
    public void Freed_tensor_memory_goes_back_to_the_system_when_released()
    {
        if (!NativeMemory.Applied)
        {
            Assert.Equal(NativeMemory.GlibcVersion() is not null, NativeMemory.ReleaseFreeMemory());
            return; // glibc trims by itself (or is absent): nothing is held back
        }
        // 32 tensors of 8 MiB: each fits a malloc arena's heap, so it is not an mmap of its own that free() would unmap.
        const int count = 32;
        const long each = 8L << 20, bytes = count * each;
        NativeMemory.ReleaseFreeMemory();
        long before = Resident();
        var tensors = new TorchSharp.torch.Tensor[count];
        for (int i = 0; i < count; i++) tensors[i] = TorchSharp.torch.ones(each / sizeof(float)); // ones: every page touched
        Assert.True(Resident() - before > bytes / 2, "the tensors' pages should be resident while they live");
        foreach (var tensor in tensors) tensor.Dispose();
        // With trimming off (NativeMemory.Configure) the freed pages stay resident until released explicitly.
        long freedButHeld = Resident();
        Assert.True(NativeMemory.ReleaseFreeMemory());
        long released = Resident();
        Assert.True(freedButHeld - released > bytes / 2,
            $"resident {freedButHeld >> 20} MiB before malloc_trim and {released >> 20} MiB after; expected at least {bytes >> 21} MiB returned");
    }

    private static long Resident()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    [Fact]
    public void Nnpack_is_turned_off_on_linux_x64()
    {
        string status = Nnpack.Disable();
        Assert.Equal(status, Nnpack.Disable());
        if (OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64)
            Assert.Equal("off", status);
    }
}
