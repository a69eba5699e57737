using System;

namespace KdDsl;

/// <summary>
/// The student model: a <c>torch.nn.Module&lt;Tensor, Tensor&gt;</c> that maps a batch [N, D] to logits [N, K], with a public constructor
/// taking <c>(int inputFeatures, int classCount)</c> or no arguments.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class StudentAttribute : Attribute
{
    /// <summary>Declares the student's model type.</summary>
    public StudentAttribute(Type model) => Model = model;

    /// <summary>The student's model type.</summary>
    public Type Model { get; }
}
