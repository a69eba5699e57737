using System;

namespace KdDsl;

/// <summary>
/// The teacher model: a <c>torch.nn.Module&lt;Tensor, Tensor&gt;</c> that maps a batch [N, D] to logits [N, K], with a public constructor
/// taking <c>(int inputFeatures, int classCount)</c> or no arguments. Repeatable: several teachers, each with its own
/// <see cref="Name"/>, read by name (<c>[Loss(..., Teacher = "a")]</c>) or as an ensemble (<see cref="TeacherEnsembleAttribute"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class TeacherAttribute : Attribute
{
    /// <summary>Declares the teacher's model type.</summary>
    public TeacherAttribute(Type model) => Model = model;

    /// <summary>The teacher's model type.</summary>
    public Type Model { get; }

    /// <summary>
    /// The teacher's name, which <c>[Loss(..., Teacher = name)]</c> reads. Needed, and distinct, when the experiment declares several
    /// teachers; one teacher needs none.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>
    /// Path of a teacher checkpoint (TorchSharp format). When the file exists the teacher is loaded from it and not trained;
    /// otherwise the teacher is trained and then saved there (atomically). Unset: the teacher is trained in every run.
    /// <c>RunOptions.TeacherCheckpoint</c> overrides it (a sweep passes one file per data set, seed and teacher selection).
    /// </summary>
    public string? Checkpoint { get; set; }

    /// <summary>
    /// A teacher trained elsewhere: its weights, as PyTorch wrote them (a <c>state_dict</c> saved with <c>torch.save</c>, e.g.
    /// <c>teacher.pt</c>, or a <c>.safetensors</c> file). The declared model must have the same parameter and buffer names and
    /// shapes (a mismatch is one error listing every missing, unexpected and mis-shaped key, before any training step). Such a
    /// teacher is not trained: its accuracy and calibration are measured and reported like any teacher's.
    /// </summary>
    public string? Weights { get; set; }

    /// <summary>Epochs to train the teacher; 0 (the default) means the same as <see cref="TrainAttribute.Epochs"/>.</summary>
    public int Epochs { get; set; }

    /// <summary>
    /// Learning rate of the teacher's training; 0 (the default) means the same as <see cref="TrainAttribute.LearningRate"/>.
    /// The other settings (optimizer, batch, schedule, ...) are <c>[Train]</c>'s.
    /// </summary>
    public double LearningRate { get; set; }

    /// <summary>
    /// Which of the teacher's epochs to keep (Sultan et al. compare the last two): the last (default), the one with the best
    /// validation accuracy, or the one with the lowest validation loss. The other two need a validation split.
    /// </summary>
    public TeacherSelection Selection { get; set; } = TeacherSelection.LastEpoch;

    /// <summary>
    /// Stop training the teacher as soon as its accuracy on the validation split (the training split when there is none) reaches
    /// this value, checked ten times per epoch: a deliberately under-trained teacher for defective-teacher KD (De-KD). In (0, 1];
    /// 0 (the default) disables it.
    /// </summary>
    public double StopAtAccuracy { get; set; }

    /// <summary>
    /// Compute the teacher's logits (with <see cref="MatchLayersAttribute"/>, also the teacher hidden states the layer map reads)
    /// for the training split once and reuse them in every epoch (offline KD): in memory, or on disk under
    /// <see cref="CacheDirectory"/>, keyed by a hash of the teacher's weights, the data and the set of cached layers so a change
    /// never reuses stale outputs. Exact: the teacher runs in eval mode, so cached and live outputs are the same. Default <see cref="TeacherOutputCaching.None"/>.
    /// </summary>
    public TeacherOutputCaching CacheOutputs { get; set; } = TeacherOutputCaching.None;

    /// <summary>
    /// Folder of the disk cache (with <see cref="TeacherOutputCaching.Disk"/> or <see cref="TeacherOutputCaching.SparseTopK"/>).
    /// Default <c>.kddsl-cache</c>.
    /// </summary>
    public string? CacheDirectory { get; set; }

    /// <summary>
    /// With <see cref="TeacherOutputCaching.SparseTopK"/> (required there, and only there): how many of each sample's largest teacher
    /// logits the store keeps, k &gt;= 1. The store's memory and file grow with k, not with the class count.
    /// </summary>
    public int CacheTopK { get; set; }

    /// <summary>
    /// With <see cref="TeacherOutputCaching.SparseTopK"/> (only there): what the loss gives the classes outside each sample's top k.
    /// Default <see cref="SparseRemainder.Renormalize"/>.
    /// </summary>
    public SparseRemainder CacheRemainder { get; set; } = SparseRemainder.Renormalize;
}

/// <summary>Where the teacher's outputs are cached.</summary>
public enum TeacherOutputCaching
{
    /// <summary>The teacher runs on every batch.</summary>
    None = 0,

    /// <summary>Computed once per run, kept in memory.</summary>
    Memory = 1,

    /// <summary>Computed once per teacher and data set, kept in a file and reused by later runs.</summary>
    Disk = 2,

    /// <summary>
    /// Like <see cref="Disk"/>, but only each sample's <see cref="TeacherAttribute.CacheTopK"/> largest logits, their class indices and
    /// the log-normaliser of the full softmax at each declared temperature are kept (in the file and in memory): for large class
    /// counts. Only terms with a sparse form (the KL divergence) can read it; what the other classes get is
    /// <see cref="TeacherAttribute.CacheRemainder"/>.
    /// </summary>
    SparseTopK = 3,
}

/// <summary>What a loss reading the top-k teacher store (<see cref="TeacherOutputCaching.SparseTopK"/>) gives the classes outside a sample's top k.</summary>
public enum SparseRemainder
{
    /// <summary>
    /// Nothing: the top-k probabilities are renormalised to sum to 1 and the other classes get 0 (the usual choice of LLM
    /// distillation kits). Needs no normaliser, so it is the same at any temperature.
    /// </summary>
    Renormalize = 0,

    /// <summary>
    /// The teacher's top-k probabilities are kept as they are, and the remaining mass <c>1 - sum(top k)</c> is spread uniformly over the
    /// other K - k classes (Tang et al.'s KD-topk). Needs the full softmax's normaliser at the declared temperature, which the store keeps.
    /// </summary>
    Spread = 1,
}

/// <summary>Which teacher checkpoint distillation uses.</summary>
public enum TeacherSelection
{
    /// <summary>The weights after the last epoch.</summary>
    LastEpoch = 0,

    /// <summary>The epoch with the highest validation accuracy.</summary>
    BestValidationAccuracy = 1,

    /// <summary>The epoch with the lowest validation cross-entropy (Sultan et al.'s recommendation).</summary>
    LowestValidationLoss = 2,
}
