using System;
using KdDsl.Export;
using KdDsl.Matching;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.Models;

/// <summary>
/// An MLP for images or feature vectors, built for intermediate-layer matching: an input layer to the hidden width
/// ("embedding"), <c>layers</c> residual blocks <c>h + ReLU(Linear(LayerNorm(h)))</c> ("blocks.0", ...), and a classifier
/// head on the last state. Subclass it with a parameterless constructor and put <c>[LayerStack(Count = ..., Width = ...)]</c>
/// on the subclass so the generator can check a layer map at compile time.
/// </summary>
public class LayeredMlp : nn.Module<Tensor, Tensor>, ILayeredModule, IOnnxExportable
{
    // Protected, not private: the generator reads a referenced assembly's public and protected members only, and these
    // fields' names are the layer paths ("embedding", "blocks.0", ...).

    /// <summary>The input layer (features → width); its ReLU output is the embedding state.</summary>
    protected readonly Linear embedding;

    /// <summary>The residual blocks.</summary>
    [LayerStack(Embedding = "embedding")]
    protected readonly ModuleList<MlpBlock> blocks;

    /// <summary>The normalisation before the classifier.</summary>
    protected readonly LayerNorm headNorm;

    /// <summary>The classifier.</summary>
    protected readonly Linear head;

    /// <summary>An MLP of <paramref name="layers"/> blocks of width <paramref name="width"/>.</summary>
    public LayeredMlp(int inputFeatures, int classCount, int layers, int width) : base(nameof(LayeredMlp))
    {
        if (inputFeatures < 1 || classCount < 1 || layers < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(layers), "inputs, classes, layers and width must all be >= 1");
        HiddenWidth = width;
        embedding = nn.Linear(inputFeatures, width);
        var list = new MlpBlock[layers];
        for (int i = 0; i < layers; i++) list[i] = new MlpBlock(width);
        blocks = nn.ModuleList(list);
        headNorm = nn.LayerNorm(width);
        head = nn.Linear(width, classCount);
        RegisterComponents();
    }

    /// <inheritdoc />
    public int LayerCount => blocks.Count;

    /// <inheritdoc />
    public int HiddenWidth { get; }

    /// <inheritdoc />
    public Tensor Embed(Tensor input) => nn.functional.relu(embedding.call(input));

    /// <inheritdoc />
    public Tensor Layer(int index, Tensor hidden) => blocks[index].call(hidden);

    /// <inheritdoc />
    public Tensor Head(Tensor hidden) => head.call(headNorm.call(hidden));

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var hidden = Embed(input);
        for (int i = 0; i < blocks.Count; i++) hidden = blocks[i].call(hidden);
        return Head(hidden);
    }

    string IOnnxExportable.ExportOnnx(OnnxGraph graph, string input)
    {
        var hidden = graph.Relu(graph.Module(embedding, input));
        for (int i = 0; i < blocks.Count; i++) hidden = graph.Module(blocks[i], hidden);
        return graph.Module(head, graph.Module(headNorm, hidden));
    }
}

/// <summary>One residual block of <see cref="LayeredMlp"/>: <c>h + ReLU(Linear(LayerNorm(h)))</c>.</summary>
public sealed class MlpBlock : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly LayerNorm norm;
    private readonly Linear linear;

    /// <summary>A block of width <paramref name="width"/>.</summary>
    public MlpBlock(int width) : base(nameof(MlpBlock))
    {
        norm = nn.LayerNorm(width);
        linear = nn.Linear(width, width);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => input + nn.functional.relu(linear.call(norm.call(input)));

    string IOnnxExportable.ExportOnnx(OnnxGraph graph, string input) =>
        graph.Add(input, graph.Relu(graph.Module(linear, graph.Module(norm, input))));
}
