using System;
using System.Collections.Generic;
using System.Linq;
using KdDsl.Export;
using KdDsl.Matching;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.Models;

/// <summary>
/// The CIFAR ResNet of He et al. (2016, section 4.2), the teacher and student family of the KD literature (ResNet-8/14/20/32/56/110):
/// a 3x3 convolution to 16 channels with BatchNorm and ReLU ("stem"), three stages of n <see cref="BasicBlock"/>s with 16, 32
/// and 64 channels (times <c>width</c>), the second and third starting with stride 2 ("stages.0" to "stages.2"), global
/// average pooling and a Linear classifier: 6n + 2 weighted layers. Shortcuts that change shape are the paper's option A
/// (subsampling and zero channels, no parameters), so ResNet-20 has 0.27M and ResNet-56 0.85M parameters for 10 classes,
/// the paper's figures. Inputs are images [N, C, H, W] of any size (the pooling is global).
/// </summary>
/// <remarks>
/// For intermediate-layer matching (<see cref="ILayeredModule"/>) the layers are the three stages: state 0 is the stem's
/// output, state i its stage i's, each [N, C, H, W] with <see cref="StateChannels"/> channels (16w, 16w, 32w, 64w) and
/// halving spatial size from stage 2 on. <see cref="ILayeredModule.HiddenWidth"/> is the last state's channel count.
/// <para>
/// Declaring one in an experiment: use a fixed-depth subclass (<see cref="ResNet20"/>, ...) or your own subclass with a
/// public constructor <c>(int inputChannels, int classCount)</c> that calls
/// <c>base(inputChannels, classCount, depth, width)</c>. Its first parameter is the data's channel count
/// (<c>SampleShape[0]</c> of image data [N, C, H, W], e.g. 1 for <c>IdxLayout.Images</c>), not a flat input width.
/// </para>
/// </remarks>
public class CifarResNet : nn.Module<Tensor, Tensor>, ILayeredModule, IOnnxExportable
{
    // Protected, not private: the generator reads a referenced assembly's public and protected members only, and these
    // fields' names are the layer paths ("stem", "stages.0", ...).

    /// <summary>The 3x3 convolution, BatchNorm and ReLU before the stages; its output is the embedding state.</summary>
    protected readonly Sequential stem;

    /// <summary>The three stages of basic blocks.</summary>
    [LayerStack(Embedding = "stem")]
    protected readonly ModuleList<Sequential> stages;

    /// <summary>The classifier on the pooled last state.</summary>
    protected readonly Linear head;

    /// <summary>A CIFAR ResNet of <paramref name="depth"/> = 6n + 2 layers with 16, 32, 64 channels times <paramref name="width"/>.</summary>
    /// <param name="inputChannels">Channels of the input images (1 for grey, 3 for colour).</param>
    /// <param name="classCount">Number of classes (logits).</param>
    /// <param name="depth">6n + 2: 8, 14, 20, 32, 44, 56, 110, ...</param>
    /// <param name="width">Channel multiplier (1 = the paper's 16, 32, 64).</param>
    public CifarResNet(int inputChannels, int classCount, int depth, int width = 1) : this(nameof(CifarResNet), inputChannels, classCount, depth, width)
    {
    }

    /// <summary>The same, registered under <paramref name="name"/>.</summary>
    protected CifarResNet(string name, int inputChannels, int classCount, int depth, int width) : base(name)
    {
        ConvLayers.RequirePositive((nameof(inputChannels), inputChannels), (nameof(classCount), classCount), (nameof(width), width));
        if (depth < 8 || (depth - 2) % 6 != 0)
            throw new ArgumentOutOfRangeException(nameof(depth), depth, "A CIFAR ResNet has 6n + 2 layers (8, 14, 20, 32, 56, ...).");
        int blocksPerStage = (depth - 2) / 6;
        Depth = depth;
        var channels = new[] { 16 * width, 32 * width, 64 * width };
        stem = nn.Sequential(
            ("conv", ConvLayers.Conv3x3(inputChannels, channels[0])),
            ("bn", nn.BatchNorm2d(channels[0])),
            ("relu", nn.ReLU()));
        var stageList = new Sequential[3];
        int previous = channels[0];
        for (int s = 0; s < 3; s++)
        {
            var blocks = new List<nn.Module<Tensor, Tensor>>();
            for (int b = 0; b < blocksPerStage; b++)
            {
                blocks.Add(new BasicBlock(previous, channels[s], b == 0 && s > 0 ? 2 : 1));
                previous = channels[s];
            }
            stageList[s] = nn.Sequential(blocks.ToArray());
        }
        stages = nn.ModuleList(stageList);
        head = nn.Linear(channels[2], classCount);
        StateChannels = new[] { channels[0], channels[0], channels[1], channels[2] };
        RegisterComponents();
        ConvLayers.Initialize(this);
    }

    /// <summary>Number of weighted layers, 6n + 2.</summary>
    public int Depth { get; }

    /// <summary>Channels of each state: the stem's, then each stage's.</summary>
    public IReadOnlyList<int> StateChannels { get; }

    /// <inheritdoc />
    public int LayerCount => stages.Count;

    /// <inheritdoc />
    public int HiddenWidth => StateChannels[^1];

    /// <inheritdoc />
    public Tensor Embed(Tensor input) => stem.call(input);

    /// <inheritdoc />
    public Tensor Layer(int index, Tensor hidden) => stages[index].call(hidden);

    /// <inheritdoc />
    public Tensor Head(Tensor hidden) => head.call(ConvLayers.GlobalAveragePool(hidden));

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var hidden = Embed(input);
        for (int i = 0; i < stages.Count; i++) hidden = stages[i].call(hidden);
        return Head(hidden);
    }

    string IOnnxExportable.ExportOnnx(OnnxGraph graph, string input)
    {
        var hidden = graph.Module(stem, input);
        for (int i = 0; i < stages.Count; i++) hidden = graph.Module(stages[i], hidden);
        return graph.Module(head, graph.GlobalAveragePool(hidden));
    }
}

/// <summary>
/// He et al.'s basic block: <c>ReLU(BN(conv3x3(ReLU(BN(conv3x3(x))))) + shortcut(x))</c>. When the block changes the shape
/// the shortcut is option A: every second pixel, with zero channels added evenly before and after (no parameters).
/// </summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly long stride;
    private readonly long padBefore;
    private readonly long padAfter;

    /// <summary>A block from <paramref name="inputChannels"/> to <paramref name="outputChannels"/>, the first convolution with <paramref name="stride"/>.</summary>
    public BasicBlock(int inputChannels, int outputChannels, int stride) : base(nameof(BasicBlock))
    {
        if (outputChannels < inputChannels)
            throw new ArgumentOutOfRangeException(nameof(outputChannels), "An option-A shortcut cannot drop channels.");
        conv1 = ConvLayers.Conv3x3(inputChannels, outputChannels, stride);
        bn1 = nn.BatchNorm2d(outputChannels);
        conv2 = ConvLayers.Conv3x3(outputChannels, outputChannels);
        bn2 = nn.BatchNorm2d(outputChannels);
        this.stride = stride;
        padBefore = (outputChannels - inputChannels) / 2;
        padAfter = outputChannels - inputChannels - padBefore;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var output = bn2.call(conv2.call(nn.functional.relu(bn1.call(conv1.call(input)))));
        var shortcut = input;
        if (stride != 1)
            shortcut = shortcut.slice(2, 0, shortcut.shape[2], stride).slice(3, 0, shortcut.shape[3], stride);
        if (padBefore + padAfter > 0)
            shortcut = nn.functional.pad(shortcut, new long[] { 0, 0, 0, 0, padBefore, padAfter });
        return nn.functional.relu(output + shortcut);
    }

    string IOnnxExportable.ExportOnnx(OnnxGraph graph, string input)
    {
        var output = graph.Module(bn2, graph.Module(conv2, graph.Relu(graph.Module(bn1, graph.Module(conv1, input)))));
        var shortcut = input;
        if (stride != 1) // every stride-th row and column: Slice with steps
            shortcut = graph.Node("Slice", [shortcut, graph.Constant(0, 0), graph.Constant(long.MaxValue, long.MaxValue), graph.Constant(2, 3), graph.Constant(stride, stride)]);
        if (padBefore + padAfter > 0) // zero channels before and after: ONNX pads are [begin of each axis..., end of each axis...]
            shortcut = graph.Node("Pad", [shortcut, graph.Constant(0, padBefore, 0, 0, 0, padAfter, 0, 0)]);
        return graph.Relu(graph.Add(output, shortcut));
    }
}

/// <summary>ResNet-8 (n = 1) of <see cref="CifarResNet"/>, width 1: 0.08M parameters for 10 classes.</summary>
public class ResNet8 : CifarResNet
{
    /// <summary>For images of <paramref name="inputChannels"/> channels and <paramref name="classCount"/> classes.</summary>
    public ResNet8(int inputChannels, int classCount) : base(nameof(ResNet8), inputChannels, classCount, 8, 1) { }
}

/// <summary>ResNet-14 (n = 2) of <see cref="CifarResNet"/>, width 1: 0.17M parameters for 10 classes.</summary>
public class ResNet14 : CifarResNet
{
    /// <summary>For images of <paramref name="inputChannels"/> channels and <paramref name="classCount"/> classes.</summary>
    public ResNet14(int inputChannels, int classCount) : base(nameof(ResNet14), inputChannels, classCount, 14, 1) { }
}

/// <summary>ResNet-20 (n = 3) of <see cref="CifarResNet"/>, width 1: 0.27M parameters for 10 classes.</summary>
public class ResNet20 : CifarResNet
{
    /// <summary>For images of <paramref name="inputChannels"/> channels and <paramref name="classCount"/> classes.</summary>
    public ResNet20(int inputChannels, int classCount) : base(nameof(ResNet20), inputChannels, classCount, 20, 1) { }
}

/// <summary>ResNet-32 (n = 5) of <see cref="CifarResNet"/>, width 1: 0.46M parameters for 10 classes.</summary>
public class ResNet32 : CifarResNet
{
    /// <summary>For images of <paramref name="inputChannels"/> channels and <paramref name="classCount"/> classes.</summary>
    public ResNet32(int inputChannels, int classCount) : base(nameof(ResNet32), inputChannels, classCount, 32, 1) { }
}

/// <summary>ResNet-56 (n = 9) of <see cref="CifarResNet"/>, width 1: 0.85M parameters for 10 classes.</summary>
public class ResNet56 : CifarResNet
{
    /// <summary>For images of <paramref name="inputChannels"/> channels and <paramref name="classCount"/> classes.</summary>
    public ResNet56(int inputChannels, int classCount) : base(nameof(ResNet56), inputChannels, classCount, 56, 1) { }
}
