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
}
