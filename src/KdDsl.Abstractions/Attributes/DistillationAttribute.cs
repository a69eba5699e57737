using System;

namespace KdDsl;

/// <summary>
/// Marks a <c>partial</c> class as a distillation experiment. The KdDsl source generator reads this class's
/// <see cref="TeacherAttribute"/>, <see cref="StudentAttribute"/>, <see cref="LossAttribute"/>, <see cref="TrainAttribute"/> and
/// <see cref="DatasetAttribute"/> and emits, at compile time, a static <c>Run</c> method with the training loop and a typed <c>Result</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class DistillationAttribute : Attribute
{
}
