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
    /// </summary>
    public string? Checkpoint { get; set; }

    /// <summary>Epochs to train the teacher; 0 (the default) means the same as <see cref="TrainAttribute.Epochs"/>.</summary>
    public int Epochs { get; set; }

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
