using KdDsl.Training;
using TorchSharp;
using Xunit;

namespace KdDsl.Tests.Training;

public sealed class DeviceSelectionTests
{
    [Fact]
    public void Without_a_choice_the_run_uses_cuda_when_available_else_the_cpu()
    {
        var expected = torch.cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU;
        Assert.Equal(expected, new RunOptions().ResolveDevice().type);
    }

    [Fact]
    public void An_explicit_device_wins()
    {
        Assert.Equal(DeviceType.CPU, new RunOptions { Device = torch.CPU }.ResolveDevice().type);
    }
}
