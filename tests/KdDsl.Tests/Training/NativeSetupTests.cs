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
    public void Nnpack_is_turned_off_on_linux_x64()
    {
        string status = Nnpack.Disable();
        Assert.Equal(status, Nnpack.Disable());
        if (OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64)
            Assert.Equal("off", status);
    }
}
