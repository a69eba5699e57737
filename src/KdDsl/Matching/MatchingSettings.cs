using System;
using System.Collections.Generic;
using System.Linq;

namespace KdDsl.Matching;

/// <summary>The values of <see cref="MatchLayersAttribute"/> and the <see cref="LayerMapAttribute"/> entries, as the generated code passes them.</summary>
/// <param name="Selection">The layer-selection strategy.</param>
/// <param name="Weight">Weight of the HiddenStates term.</param>
/// <param name="Distance">The distance between matched states.</param>
/// <param name="Normalization">Normalisation of both states before the distance.</param>
/// <param name="MatchEmbeddings">Whether the embedding outputs are matched too.</param>
/// <param name="AllToOneTeacherLayer">The teacher layer path of <see cref="LayerSelection.AllToOne"/> (null: the middle layer).</param>
/// <param name="Projection">Whether differing widths get a bias-free Linear projection.</param>
/// <param name="ExplicitMap">The (student path, teacher path) pairs of <see cref="LayerSelection.Explicit"/>.</param>
/// <param name="Resize">What to do with feature maps of different heights or widths.</param>
public sealed record MatchingSettings(
    LayerSelection Selection,
    double Weight = 1,
    HiddenDistance Distance = HiddenDistance.SquaredL2,
    HiddenNormalization Normalization = HiddenNormalization.None,
    bool MatchEmbeddings = false,
    string? AllToOneTeacherLayer = null,
    bool Projection = true,
    IReadOnlyList<(string Student, string Teacher)>? ExplicitMap = null,
    SpatialResize Resize = SpatialResize.None)
{
    /// <summary>The explicit pairs, never null.</summary>
    public IReadOnlyList<(string Student, string Teacher)> Pairs => ExplicitMap ?? Array.Empty<(string, string)>();
}

/// <summary>
/// A model's stack as built: its layer paths (the ModuleList field's name, and the embedding field's name if any), its
/// layer count, its hidden width, and, when measured on a sample, every state's per-sample shape.
/// </summary>
/// <param name="Role">"teacher" or "student", for messages.</param>
/// <param name="ModelType">The model's type name, for messages.</param>
/// <param name="StackPath">Name of the ModuleList field: block i is "{StackPath}.{i}".</param>
/// <param name="EmbeddingPath">Name of the embedding field (state 0), or null when the model has none.</param>
/// <param name="LayerCount">Number of blocks.</param>
/// <param name="Width">Width of the last state (<see cref="ILayeredModule.HiddenWidth"/>).</param>
/// <param name="StateShapes">
/// Per-sample shape of each state (without the batch dimension: [W], [L, W] or [C, H, W]), measured by running one sample
/// through the model; null when not measured, and then every state is taken to be <paramref name="Width"/> wide.
/// </param>
/// <param name="LayerPaths">
/// The blocks' paths when they are not "{StackPath}.{i}" (for example TorchVision's "layer1" to "layer4", declared with
/// <c>[LayerStack(Paths = ...)]</c>); null for a ModuleList stack.
/// </param>
public sealed record LayerStackShape(string Role, string ModelType, string StackPath, string? EmbeddingPath, int LayerCount, int Width,
    IReadOnlyList<long[]>? StateShapes = null, IReadOnlyList<string>? LayerPaths = null)
{
    /// <summary>The shape of a built model, every state taken to be <see cref="ILayeredModule.HiddenWidth"/> wide.</summary>
    public static LayerStackShape Of(ILayeredModule model, string role, string modelType, string stackPath, string? embeddingPath)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new LayerStackShape(role, modelType, stackPath, embeddingPath, model.LayerCount, model.HiddenWidth);
    }

    /// <summary>
    /// The shape of a built model with every state's shape measured on the first sample of <paramref name="data"/> (eval mode,
    /// no gradients, on the model's device; its training mode is restored and nothing is drawn from the random generator),
    /// so feature maps of different sizes are found before any training step.
    /// </summary>
    public static LayerStackShape Of(ILayeredModule model, string role, string modelType, string stackPath, string? embeddingPath, KdDsl.Data.LabeledDataset data) =>
        Measure(model, role, modelType, stackPath, null, embeddingPath, data);

    /// <summary>
    /// As <see cref="Of(ILayeredModule, string, string, string, string?, KdDsl.Data.LabeledDataset)"/> for a model whose blocks
    /// have the given paths (<c>[LayerStack(Paths = ...)]</c>, e.g. "layer1" to "layer4").
    /// </summary>
    public static LayerStackShape Of(ILayeredModule model, string role, string modelType, IReadOnlyList<string> layerPaths, string? embeddingPath,
        KdDsl.Data.LabeledDataset data)
    {
        ArgumentNullException.ThrowIfNull(layerPaths);
        if (model is not null && layerPaths.Count != model.LayerCount)
            throw new LayerMatchingException(
                $"The {role} {modelType} declares {layerPaths.Count} layer paths ({string.Join(", ", layerPaths)}) but has {model.LayerCount} layers.");
        return Measure(model!, role, modelType, "", layerPaths, embeddingPath, data);
    }

    private static LayerStackShape Measure(ILayeredModule model, string role, string modelType, string stackPath, IReadOnlyList<string>? layerPaths,
        string? embeddingPath, KdDsl.Data.LabeledDataset data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var module = (TorchSharp.torch.nn.Module)model;
        bool training = module.training;
        var device = module.parameters().Select(p => p.device).FirstOrDefault() ?? TorchSharp.torch.CPU;
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var noGrad = TorchSharp.torch.no_grad();
        module.eval();
        try
        {
            var (states, _) = LayerCapture.AllStates(model, data.Features.narrow(0, 0, 1).to(device));
            var shapes = states.Select(s => s.shape[1..]).ToArray();
            return new LayerStackShape(role, modelType, stackPath, embeddingPath, model.LayerCount, model.HiddenWidth, shapes, layerPaths);
        }
        finally
        {
            if (training) module.train();
        }
    }

    /// <summary>Per-sample shape of state <paramref name="state"/> ([W] when not measured).</summary>
    public long[] ShapeOf(int state) => StateShapes is { } shapes ? shapes[state] : new long[] { Width };

    /// <summary>The width of state <paramref name="state"/>: channels C of a feature map [C, H, W], else the last dimension.</summary>
    public long WidthOf(int state)
    {
        var shape = ShapeOf(state);
        return shape.Length == 3 ? shape[0] : shape[^1];
    }

    /// <summary>The path of state <paramref name="state"/>: 0 is the embedding, i >= 1 is block i-1's output.</summary>
    public string PathOf(int state) => state == 0 ? EmbeddingPath ?? "embedding"
        : LayerPaths is { } paths ? paths[state - 1]
        : StackPath + "." + (state - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>"layer1 to layer4" or "blocks.0 to blocks.11", for messages.</summary>
    private string Range => LayerPaths is { } paths ? string.Join(", ", paths) : $"{StackPath}.0 to {StackPath}.{LayerCount - 1}";

    /// <summary>The state index of <paramref name="path"/>, or a message saying why it names no layer.</summary>
    public int StateOf(string path)
    {
        if (EmbeddingPath is not null && path == EmbeddingPath) return 0;
        if (LayerPaths is { } paths)
        {
            for (int i = 0; i < paths.Count; i++)
            {
                if (paths[i] == path) return i + 1;
            }
            throw new LayerMatchingException(
                $"'{path}' is not a layer of the {Role} {ModelType}; its layers are {(EmbeddingPath is null ? "" : EmbeddingPath + ", ")}{Range}.");
        }
        string prefix = StackPath + ".";
        if (path.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(path.AsSpan(prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index))
        {
            if (index >= LayerCount)
                throw new LayerMatchingException(
                    $"Layer '{path}' is out of range: the {Role} {ModelType} has {LayerCount} layers ({StackPath}.0 to {StackPath}.{LayerCount - 1}).");
            return index + 1;
        }
        throw new LayerMatchingException(
            $"'{path}' is not a layer of the {Role} {ModelType}; its layers are {(EmbeddingPath is null ? "" : EmbeddingPath + ", ")}{StackPath}.0 to {StackPath}.{LayerCount - 1}.");
    }
}
