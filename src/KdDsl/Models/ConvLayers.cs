using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.Models;

/// <summary>Convolution helpers shared by the convolutional models: the layers and the initialisation of the KD literature's CIFAR code.</summary>
internal static class ConvLayers
{
    /// <summary>A 3x3 convolution with padding 1 and no bias (a BatchNorm follows it).</summary>
    public static Conv2d Conv3x3(long input, long output, long stride = 1) =>
        nn.Conv2d(input, output, kernel_size: 3, stride: stride, padding: 1, bias: false);

    /// <summary>
    /// He et al.'s initialisation as the CIFAR ResNet code of the KD literature applies it: every convolution Kaiming-normal
    /// (fan-out, ReLU), every BatchNorm weight 1 and bias 0; Linear layers keep TorchSharp's default. Also turns libtorch's
    /// NNPACK off (<see cref="KdDsl.Training.Nnpack"/>).
    /// </summary>
    public static void Initialize(nn.Module model)
    {
        KdDsl.Training.Nnpack.Disable();
        using var noGrad = no_grad();
        foreach (var module in model.modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    nn.init.kaiming_normal_(conv.weight, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
                    break;
                case BatchNorm2d norm:
                    nn.init.ones_(norm.weight);
                    nn.init.zeros_(norm.bias);
                    break;
            }
        }
    }

    /// <summary>Global average pooling: [N, C, H, W] to [N, C], for inputs of any height and width.</summary>
    public static Tensor GlobalAveragePool(Tensor hidden) => hidden.mean(new long[] { 2, 3 });

    /// <summary>Throws unless every value is at least 1.</summary>
    public static void RequirePositive(params (string Name, int Value)[] values)
    {
        foreach (var (name, value) in values)
            if (value < 1) throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 1.");
    }
}
