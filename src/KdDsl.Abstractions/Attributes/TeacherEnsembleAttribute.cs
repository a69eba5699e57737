using System;

namespace KdDsl;

/// <summary>
/// With several teachers: how the ensemble weighs them. A term that reads teacher logits without naming a teacher reads
/// <c>sum_i w_i softmax(z_i / T) / sum_i w_i</c> at its temperature T. Without this attribute every teacher weighs the same.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class TeacherEnsembleAttribute : Attribute
{
    /// <summary>One weight per teacher, in the order the <c>[Teacher]</c> attributes are declared; each &gt;= 0, with a positive sum.</summary>
    public double[]? Weights { get; set; }
}
