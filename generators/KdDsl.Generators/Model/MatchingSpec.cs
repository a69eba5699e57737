namespace KdDsl.Generators.Model;

/// <summary>
/// The <c>[MatchLayers]</c> values, the <c>[LayerMap]</c> entries and the two models' stacks as read from their fields.
/// Enum-typed options are the attribute's own enums (KdDsl.Abstractions).
/// </summary>
internal sealed record MatchingSpec(
    LayerSelection Selection,
    double Weight,
    HiddenDistance Distance,
    HiddenNormalization Normalization,
    bool MatchEmbeddings,
    string? AllToOneTeacherLayer,
    bool Projection,
    EquatableArray<LayerMapEntrySpec> Map,
    LayerStackSpec Student,
    LayerStackSpec Teacher,
    bool InitializeFromTeacher = false,
    SpatialResize Resize = SpatialResize.None);

/// <summary>One <c>[LayerMap]</c> pair.</summary>
internal sealed record LayerMapEntrySpec(string Student, string Teacher);

/// <summary>
/// A model's stack as the generator sees it: the ModuleList field's name (block i is "{StackPath}.{i}"), the embedding field's
/// name (or null), and the layer count and width when declared with <c>[LayerStack]</c> or constants in the model's source
/// (0 = known only at run time). <see cref="Paths"/>, from <c>[LayerStack(Paths = ...)]</c> on the model class, names the
/// blocks when they are not one ModuleList (TorchVision's "layer1" to "layer4"); then <see cref="StackPath"/> is empty.
/// </summary>
internal sealed record LayerStackSpec(string StackPath, string? EmbeddingPath, int Count, int Width, EquatableArray<string> Paths = default)
{
    /// <summary>Whether the blocks have declared paths instead of "{StackPath}.{i}".</summary>
    public bool HasPaths => Paths.Count > 0;
}
