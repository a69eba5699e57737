using System;

namespace KdDsl;

/// <summary>
/// How student layers are paired with teacher layers (Yu et al. 2025). For a student of n layers and a teacher of m, student
/// layer i (1-based) goes to teacher layer round(i*m/n) under <see cref="Forward"/>.
/// </summary>
public enum LayerSelection
{
    /// <summary>No hidden-state matching: the HiddenStates term is 0 (the baseline of the paper's comparison).</summary>
    None = 0,

    /// <summary>Student layer i → teacher layer round(i*m/n): for 3 of 12, S1→T4, S2→T8, S3→T12.</summary>
    Forward = 1,

    /// <summary>The forward targets in reverse order: S1→T12, S2→T8, S3→T4.</summary>
    Reverse = 2,

    /// <summary>One random permutation of the forward targets, drawn once per run from the run's seed.</summary>
    Random = 3,

    /// <summary>A random sorted subset of n distinct teacher layers (prior work's random selection), drawn from the run's seed.</summary>
    InOrderRandom = 4,

    /// <summary>Every student layer → one teacher layer (<see cref="MatchLayersAttribute.AllToOneTeacherLayer"/>, default the middle one).</summary>
    AllToOne = 5,

    /// <summary>The pairs given by the class's <see cref="LayerMapAttribute"/> entries.</summary>
    Explicit = 6,
}

/// <summary>The distance between a (projected) student state and a teacher state, averaged over tokens and pairs.</summary>
public enum HiddenDistance
{
    /// <summary>Squared L2 distance per token (sum over the hidden width), averaged over tokens: the paper's loss.</summary>
    SquaredL2 = 0,

    /// <summary>Mean squared error over every element (the squared L2 distance divided by the width).</summary>
    Mse = 1,

    /// <summary>1 - cosine similarity per token, averaged over tokens.</summary>
    Cosine = 2,

    /// <summary>
    /// Attention transfer (Zagoruyko and Komodakis 2017) for feature maps [N, C, H, W]: each state becomes its spatial attention
    /// map <c>A = sum_c |F_c|^2</c>, flattened and L2-normalised per sample, and the distance is the mean squared difference of
    /// the two maps (their official code's <c>(at(s) - at(t)).pow(2).mean()</c>; the paper's beta = 1000 summed over groups with
    /// a factor 1/2 is <c>Weight = 500 x</c> the number of matched pairs here, since the term averages over pairs). Channel counts
    /// may differ (no connector is made); spatial sizes must agree or be resized (<see cref="MatchLayersAttribute.Resize"/>).
    /// The term is called "AttentionTransfer" instead of "HiddenStates".
    /// </summary>
    AttentionTransfer = 3,

    /// <summary>
    /// Similarity-preserving KD (Tung and Mori, ICCV 2019): each sample's state flattened to a vector (a feature map's C*H*W
    /// values; a sequence's L*W with padding tokens zeroed), <c>G = A A^T</c> (b x b) with L2-normalised rows per model, and
    /// the distance <c>||G_t - G_s||_F^2 / b^2</c> (the authors' and torchdistill's SPKD). Compares relations between the samples
    /// of a batch, so widths, heights and ranks may differ: no connector is made and nothing is resized. Term "SimilarityPreserving";
    /// the paper's gamma = 3000 summed over groups is <c>Weight = 3000 x</c> the number of pairs. Needs batches of 2 or more.
    /// </summary>
    SimilarityPreserving = 4,

    /// <summary>
    /// Distance-wise relational KD (RKD-D, Park et al., CVPR 2019): on per-sample embeddings (a feature map global-average-pooled
    /// to its C channels, a sequence averaged over its real tokens, a vector as it is), the pairwise Euclidean distances of each
    /// model divided by their mean over the off-diagonal pairs, compared with smooth L1 (Huber, delta 1) averaged over the b x b
    /// entries. No connector; widths and ranks may differ. Term "RelationalDistance"; the paper's lambda_D = 25 is
    /// <c>Weight = 25</c>. Needs batches of 3 or more.
    /// </summary>
    RelationalDistance = 5,

    /// <summary>
    /// Angle-wise relational KD (RKD-A, Park et al., CVPR 2019): on the same embeddings as <see cref="RelationalDistance"/>, the
    /// cosine of the angle at sample i between samples j and k, <c>&lt;e_j - e_i, e_k - e_i&gt;</c> of the normalised differences,
    /// for all b^3 triplets, compared with smooth L1 averaged over them. Term "RelationalAngle"; the paper's lambda_A = 50 is
    /// <c>Weight = 50</c>. Needs batches of 3 or more.
    /// </summary>
    RelationalAngle = 6,

    /// <summary>
    /// RKD-DA, the paper's combined loss: <c>RelationalDistance + 2 * RelationalAngle</c> (the authors' ratio lambda_D : lambda_A =
    /// 25 : 50, torchdistill's dist_factor 1, angle_factor 2), so <c>Weight = 25</c> gives the paper's weights. Term "RelationalDistanceAngle".
    /// </summary>
    RelationalDistanceAngle = 7,

    /// <summary>
    /// Probabilistic knowledge transfer (PKT, Passalis and Tefas, ECCV 2018): on the same embeddings as <see cref="RelationalDistance"/>,
    /// each model's L2-normalised vectors give the cosine kernel <c>(cos + 1) / 2</c>, each row divided by its sum (conditional
    /// probabilities), and the distance is the authors' <c>mean_{i,j} p_t log((p_t + eps) / (p_s + eps))</c>, eps = 1e-7: the
    /// KL divergence KL(teacher || student) summed over the b x b entries, divided by b^2. Invariant to the scale of the
    /// features. No connector; widths and ranks may differ. Term "ProbabilisticTransfer".
    /// </summary>
    ProbabilisticTransfer = 8,
}

/// <summary>What matching does when a student feature map and its teacher feature map differ in height or width.</summary>
public enum SpatialResize
{
    /// <summary>Differing spatial sizes are an error, reported before any training step.</summary>
    None = 0,

    /// <summary>The larger map is average-pooled (adaptive average pooling) to the smaller one's height and width.</summary>
    AdaptiveAveragePool = 1,
}

/// <summary>Normalisation applied to both states of a pair before the distance.</summary>
public enum HiddenNormalization
{
    /// <summary>The states as they are.</summary>
    None = 0,

    /// <summary>Layer normalisation without learned scale or shift over the hidden width.</summary>
    LayerNorm = 1,

    /// <summary>Each state vector divided by its L2 norm.</summary>
    L2 = 2,
}

/// <summary>
/// Intermediate-layer matching: adds the term "HiddenStates" (named after the distance instead for <see cref="HiddenDistance.AttentionTransfer"/>
/// and the relational distances SP, RKD and PKT, e.g. "SimilarityPreserving")
/// = mean over matched pairs of the distance between the student's and the teacher's hidden states, weighted by <see cref="Weight"/>.
/// States may be vectors [N, W], token sequences [N, L, W] or feature maps [N, C, H, W] (FitNets-style hints). Both models must implement
/// <c>KdDsl.Matching.ILayeredModule</c> and hold their blocks in a <c>ModuleList</c> field (its name gives the layer paths,
/// e.g. "blocks.0"); <see cref="LayerStackAttribute"/> declares the layer count and width so the map is checked at compile time.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class MatchLayersAttribute : Attribute
{
    /// <summary>Declares the layer-selection strategy.</summary>
    public MatchLayersAttribute(LayerSelection selection) => Selection = selection;

    /// <summary>The layer-selection strategy.</summary>
    public LayerSelection Selection { get; }

    /// <summary>Weight of the HiddenStates term in the total (>= 0; the paper uses 3).</summary>
    public double Weight { get; set; } = 1;

    /// <summary>The <c>[Stage]</c> the matching term belongs to; 0 (the default) puts it in every stage (or there are no stages).</summary>
    public int Stage { get; set; }

    /// <summary>The distance between matched states.</summary>
    public HiddenDistance Distance { get; set; } = HiddenDistance.SquaredL2;

    /// <summary>Normalisation of both states before the distance.</summary>
    public HiddenNormalization Normalization { get; set; } = HiddenNormalization.None;

    /// <summary>Also match the embedding outputs (student embedding → teacher embedding).</summary>
    public bool MatchEmbeddings { get; set; }

    /// <summary>The teacher layer path every student layer is matched to under <see cref="LayerSelection.AllToOne"/> (default: the middle layer).</summary>
    public string? AllToOneTeacherLayer { get; set; }

    /// <summary>
    /// Allow a connector per matched pair whose widths differ, trained with the student (default true): a bias-free Linear
    /// (student width → teacher width) for [N, W] and [N, L, W] states, a 1x1 convolution and BatchNorm (student channels →
    /// teacher channels, FitNets' regressor as torchdistill builds it) for feature maps [N, C, H, W]. False: differing widths
    /// are an error. Attention transfer and the relational distances never need a connector (false is KD0015 for the latter).
    /// </summary>
    public bool Projection { get; set; } = true;

    /// <summary>
    /// For feature maps [N, C, H, W] whose heights or widths differ: <see cref="SpatialResize.None"/> (default) refuses the pair
    /// before any training step; <see cref="SpatialResize.AdaptiveAveragePool"/> pools the larger map to the smaller size.
    /// The relational distances compare maps of any sizes and take no resize (KD0015).
    /// </summary>
    public SpatialResize Resize { get; set; } = SpatialResize.None;

    /// <summary>
    /// Start the student (and the student-alone baseline) from the trained teacher's weights, as the paper's students do:
    /// student block i copies teacher block round(i*m/n) (the forward map, whatever the matching strategy, so every strategy
    /// starts from the same weights), and every other parameter (embedding, final norm, classifier) copies the teacher's
    /// parameter of the same name. Needs blocks of the same architecture and width, and a student no deeper than the teacher
    /// (KD0026); checked again, naming the first parameter that does not fit, before any training step.
    /// </summary>
    public bool InitializeFromTeacher { get; set; }
}

/// <summary>One pair of an explicit layer map (<see cref="LayerSelection.Explicit"/>): a student layer path and a teacher layer path.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LayerMapAttribute : Attribute
{
    /// <summary>Matches <paramref name="studentLayer"/> (e.g. "blocks.0" or "embedding") to <paramref name="teacherLayer"/>.</summary>
    public LayerMapAttribute(string studentLayer, string teacherLayer)
    {
        StudentLayer = studentLayer;
        TeacherLayer = teacherLayer;
    }

    /// <summary>The student layer path.</summary>
    public string StudentLayer { get; }

    /// <summary>The teacher layer path.</summary>
    public string TeacherLayer { get; }
}

/// <summary>
/// Describes a layered model's stack for compile-time checks: put it on the <c>ModuleList</c> field holding the blocks,
/// or on the model class. Not needed where the source states them as constants: the generator reads a library model
/// subclass's <c>: base(inputs, classes, 12, 128)</c>, constant <c>LayerCount</c>/<c>HiddenWidth</c> bodies and a block
/// field built as <c>nn.ModuleList(a, b, c)</c> (KD0025 when a declared value disagrees). <see cref="Count"/> and <see
/// cref="Width"/> of 0 mean "read from the source, else known only at run time", where the same checks run when the
/// models are built, before any training step.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Field, AllowMultiple = false, Inherited = false)]
public sealed class LayerStackAttribute : Attribute
{
    /// <summary>Number of blocks in the stack (0 = read from the source, else known only at run time).</summary>
    public int Count { get; set; }

    /// <summary>Hidden width of every state (0 = read from the source, else known only at run time).</summary>
    public int Width { get; set; }

    /// <summary>The field whose output is the embedding state (default: the model's single <c>Embedding</c> field, if any).</summary>
    public string? Embedding { get; set; }

    /// <summary>
    /// On a model class whose blocks are not one <c>ModuleList</c>: the blocks' module paths in forward order (for example
    /// TorchVision ResNet's <c>"layer1"</c> to <c>"layer4"</c>), which are then the layer paths a map names; the count is their
    /// number, and <see cref="Embedding"/> may be any module path ("maxpool", "features.0").
    /// </summary>
#pragma warning disable CA1819 // an attribute argument: arrays are the only way to pass a list
    public string[]? Paths { get; set; }
#pragma warning restore CA1819
}
