namespace KdDsl.Generators.Model;

/// <summary>
/// The <c>[MatchLayers]</c> values, the <c>[LayerMap]</c> entries and the two models' stacks as read from their fields.
/// Enum-typed options keep the runtime enum's integer value (<c>KdDsl.LayerSelection</c>, <c>HiddenDistance</c>,
/// <c>HiddenNormalization</c>).
/// </summary>
internal sealed record MatchingSpec(
    int Selection,
    double Weight,
    int Distance,
    int Normalization,
    bool MatchEmbeddings,
    string? AllToOneTeacherLayer,
    bool Projection,
    EquatableArray<LayerMapEntrySpec> Map,
    LayerStackSpec Student,
    LayerStackSpec Teacher,
    bool InitializeFromTeacher = false);

/// <summary>One <c>[LayerMap]</c> pair.</summary>
internal sealed record LayerMapEntrySpec(string Student, string Teacher);

/// <summary>
/// A model's stack as the generator sees it: the ModuleList field's name (block i is "{StackPath}.{i}"), the embedding field's
/// name (or null), and the layer count and width when declared with <c>[LayerStack]</c> or constants in the model's source
/// (0 = known only at run time).
/// </summary>
internal sealed record LayerStackSpec(string StackPath, string? EmbeddingPath, int Count, int Width);

/// <summary>Mirror of <c>KdDsl.LayerSelection</c>.</summary>
internal enum LayerSelectionSpec
{
    None = 0,
    Forward = 1,
    Reverse = 2,
    Random = 3,
    InOrderRandom = 4,
    AllToOne = 5,
    Explicit = 6,
}

/// <summary>Mirror of <c>KdDsl.HiddenDistance</c>.</summary>
internal enum HiddenDistanceSpec
{
    SquaredL2 = 0,
    Mse = 1,
    Cosine = 2,
}

/// <summary>Mirror of <c>KdDsl.HiddenNormalization</c>.</summary>
internal enum HiddenNormalizationSpec
{
    None = 0,
    LayerNorm = 1,
    L2 = 2,
}
