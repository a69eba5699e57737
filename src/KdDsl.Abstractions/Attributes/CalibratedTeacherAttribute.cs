using System;

namespace KdDsl;

/// <summary>
/// Distill from the temperature-scaled teacher (Yang and Song, 2021; Guo et al., 2017): after the teacher is trained or loaded,
/// one temperature T* is fitted on the validation split by minimising the negative log-likelihood, and the loss terms see the
/// teacher's logits divided by T* (a term's own temperature then applies on top). Needs a model teacher
/// (<see cref="TeacherAttribute"/> or <see cref="SelfTeacherAttribute"/>) and a validation split.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class CalibratedTeacherAttribute : Attribute
{
    /// <summary>Equal-width confidence bins of the expected calibration error reported before and after; &gt;= 1. Default 15.</summary>
    public int Bins { get; set; } = 15;
}
