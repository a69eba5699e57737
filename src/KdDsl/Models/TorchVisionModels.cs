using System;
using System.Collections.Generic;
using System.Linq;
using KdDsl.Matching;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Models;

/// <summary>
/// TorchVision's architectures (NuGet <c>TorchVision</c> 0.107) as KdDsl models: declared like any model,
/// <c>[Teacher(typeof(TorchVisionResNet18))]</c>, built with the data's channel count and class count, and layered for
/// matching with TorchVision's own module paths, which <c>[LayerStack(Paths = ...)]</c> tells the generator so a layer map is
/// checked at compile time. The modules are TorchVision's, registered under the same names, so the parameter names are
/// TorchVision's and PyTorch's (<c>conv1.weight</c>, <c>layer1.0.bn1.running_mean</c>, ...) and a <c>state_dict</c> saved from
/// PyTorch's torchvision model loads into it (<c>[Teacher(Weights = ...)]</c>).
/// </summary>
/// <remarks>
/// The architectures take 3-channel images. Grey images [N, 1, H, W] are repeated to 3 channels in <see cref="Embed"/>, as
/// ImageNet models are usually fed grey images, so ImageNet weights stay usable; other channel counts are refused when the
/// model is built. TorchVision 0.107 for .NET has ResNet, MobileNetV2/V3, VGG, AlexNet, GoogLeNet and Inception v3, no
/// EfficientNet; its MobileNetV3 factories take no class count, so they are not offered here.
/// </remarks>
public abstract class TorchVisionModel : nn.Module<Tensor, Tensor>, ILayeredModule
{
    private readonly int inputChannels;

    /// <summary>
    /// Takes <paramref name="model"/>'s children as this model's own, under the same names; this model registers and disposes
    /// them (the TorchVision container itself is not kept: its forward pass is reproduced by the subclass, child by child).
    /// </summary>
    private protected TorchVisionModel(string name, nn.Module<Tensor, Tensor> model, int inputChannels) : base(name)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (inputChannels is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(inputChannels), inputChannels,
                $"{name} takes images with 3 channels, or 1 (repeated to 3); this data has {inputChannels}.");
        this.inputChannels = inputChannels;
        Children = model.named_children().ToDictionary(c => c.name, c => (nn.Module<Tensor, Tensor>)c.module);
    }

    /// <summary>TorchVision's top-level modules by name.</summary>
    private protected IReadOnlyDictionary<string, nn.Module<Tensor, Tensor>> Children { get; }

    /// <inheritdoc />
    public abstract int LayerCount { get; }

    /// <inheritdoc />
    public abstract int HiddenWidth { get; }

    /// <summary>The input as 3-channel images.</summary>
    private protected Tensor ThreeChannels(Tensor input) => inputChannels == 1 && input.shape[1] == 1 ? input.expand(-1, 3, -1, -1) : input;

    /// <inheritdoc />
    public abstract Tensor Embed(Tensor input);

    /// <inheritdoc />
    public abstract Tensor Layer(int index, Tensor hidden);

    /// <inheritdoc />
    public abstract Tensor Head(Tensor hidden);

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var hidden = Embed(input);
        for (int i = 0; i < LayerCount; i++) hidden = Layer(i, hidden);
        return Head(hidden);
    }
}

/// <summary>
/// TorchVision's ResNet: the stem (conv1, bn1, relu, maxpool; the embedding state is maxpool's output) and the four stages
/// "layer1" to "layer4" as the layers, then avgpool, flatten and fc, exactly TorchVision's forward pass.
/// </summary>
public abstract class TorchVisionResNet : TorchVisionModel
{
    private readonly nn.Module<Tensor, Tensor> conv1, bn1, relu, maxpool, layer1, layer2, layer3, layer4, avgpool, flatten, fc;
    private readonly nn.Module<Tensor, Tensor>[] layers;

    private protected TorchVisionResNet(string name, nn.Module<Tensor, Tensor> model, int inputChannels, int hiddenWidth)
        : base(name, model, inputChannels)
    {
        (conv1, bn1, relu, maxpool) = (Children["conv1"], Children["bn1"], Children["relu"], Children["maxpool"]);
        (layer1, layer2, layer3, layer4) = (Children["layer1"], Children["layer2"], Children["layer3"], Children["layer4"]);
        (avgpool, flatten, fc) = (Children["avgpool"], Children["flatten"], Children["fc"]);
        layers = new[] { layer1, layer2, layer3, layer4 };
        HiddenWidth = hiddenWidth;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override int LayerCount => 4;

    /// <inheritdoc />
    public override int HiddenWidth { get; }

    /// <inheritdoc />
    public override Tensor Embed(Tensor input) => maxpool.call(relu.call(bn1.call(conv1.call(ThreeChannels(input)))));

    /// <inheritdoc />
    public override Tensor Layer(int index, Tensor hidden) => layers[index].call(hidden);

    /// <inheritdoc />
    public override Tensor Head(Tensor hidden) => fc.call(flatten.call(avgpool.call(hidden)));
}

/// <summary>TorchVision's ResNet-18 (11.2M parameters for 1000 classes); states 64, 64, 128, 256, 512 channels.</summary>
[LayerStack(Paths = new[] { "layer1", "layer2", "layer3", "layer4" }, Embedding = "maxpool")]
public sealed class TorchVisionResNet18(int inputChannels, int classCount)
    : TorchVisionResNet(nameof(TorchVisionResNet18), torchvision.models.resnet18(classCount), inputChannels, 512);

/// <summary>TorchVision's ResNet-34; states 64, 64, 128, 256, 512 channels.</summary>
[LayerStack(Paths = new[] { "layer1", "layer2", "layer3", "layer4" }, Embedding = "maxpool")]
public sealed class TorchVisionResNet34(int inputChannels, int classCount)
    : TorchVisionResNet(nameof(TorchVisionResNet34), torchvision.models.resnet34(classCount), inputChannels, 512);

/// <summary>TorchVision's ResNet-50 (bottleneck blocks); states 64, 256, 512, 1024, 2048 channels.</summary>
[LayerStack(Paths = new[] { "layer1", "layer2", "layer3", "layer4" }, Embedding = "maxpool")]
public sealed class TorchVisionResNet50(int inputChannels, int classCount)
    : TorchVisionResNet(nameof(TorchVisionResNet50), torchvision.models.resnet50(classCount), inputChannels, 2048);

/// <summary>
/// TorchVision's MobileNetV2 (width 1): "features.0" (the stem convolution) is the embedding, "features.1" to "features.18"
/// (the 17 inverted-residual blocks and the last 1x1 convolution to 1280 channels) are the layers, then global average
/// pooling, flatten and the classifier (dropout 0.2 and Linear), TorchVision's forward pass.
/// </summary>
[LayerStack(Paths = new[]
{
    "features.1", "features.2", "features.3", "features.4", "features.5", "features.6", "features.7", "features.8", "features.9",
    "features.10", "features.11", "features.12", "features.13", "features.14", "features.15", "features.16", "features.17", "features.18",
}, Embedding = "features.0")]
public sealed class TorchVisionMobileNetV2 : TorchVisionModel
{
    private readonly nn.Module<Tensor, Tensor> features, classifier;
    private readonly nn.Module<Tensor, Tensor>[] blocks;

    /// <summary>For images of <paramref name="inputChannels"/> (1 or 3) channels and <paramref name="classCount"/> classes.</summary>
    public TorchVisionMobileNetV2(int inputChannels, int classCount)
        : base(nameof(TorchVisionMobileNetV2), torchvision.models.mobilenet_v2(classCount), inputChannels)
    {
        (features, classifier) = (Children["features"], Children["classifier"]);
        blocks = features.children().Cast<nn.Module<Tensor, Tensor>>().ToArray();
        RegisterComponents();
    }

    /// <inheritdoc />
    public override int LayerCount => blocks.Length - 1;

    /// <inheritdoc />
    public override int HiddenWidth => 1280;

    /// <inheritdoc />
    public override Tensor Embed(Tensor input) => blocks[0].call(ThreeChannels(input));

    /// <inheritdoc />
    public override Tensor Layer(int index, Tensor hidden) => blocks[index + 1].call(hidden);

    /// <inheritdoc />
    public override Tensor Head(Tensor hidden) => classifier.call(nn.functional.adaptive_avg_pool2d(hidden, new long[] { 1, 1 }).flatten(1));
}
