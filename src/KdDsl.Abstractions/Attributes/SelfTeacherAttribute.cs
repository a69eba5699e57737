using System;

namespace KdDsl;

/// <summary>
/// Teacher-free KD, self-training form (Yuan et al., CVPR 2020): the teacher is the student's own architecture, first trained
/// normally with cross-entropy (from the same initial weights and batches as the student), then used as the teacher.
/// Use instead of <see cref="TeacherAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class SelfTeacherAttribute : Attribute
{
    /// <summary>Epochs of the first, normal training; 0 (the default) means the same as <see cref="TrainAttribute.Epochs"/>.</summary>
    public int Epochs { get; set; }
}
