using System;

namespace KdDsl;

/// <summary>
/// The teacher model: a <c>torch.nn.Module&lt;Tensor, Tensor&gt;</c> that maps a batch [N, D] to logits [N, K], with a public constructor
/// taking <c>(int inputFeatures, int classCount)</c> or no arguments.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class TeacherAttribute : Attribute
{
    /// <summary>Declares the teacher's model type.</summary>
    public TeacherAttribute(Type model) => Model = model;

    /// <summary>The teacher's model type.</summary>
    public Type Model { get; }

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

    /// <summary>Folder of the disk cache (with <see cref="TeacherOutputCaching.Disk"/> only). Default <c>.kddsl-cache</c>.</summary>
    public string? CacheDirectory { get; set; }
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
