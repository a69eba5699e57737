using System;

namespace KdDsl;

/// <summary>
/// One axis of a configuration sweep (Sultan et al., "which configuration to choose"): the experiment is run once per point of
/// the grid spanned by all its <c>[Sweep]</c> axes. The generator checks the axis name and the values' types at compile time and
/// emits a typed <c>Trial</c> record, the <c>Grid</c> of all trials and <c>Run(Trial, ...)</c>. The knobs (see <see cref="SweepAxes"/>):
/// <list type="bullet">
/// <item><c>Alpha</c> (double in [0, 1]): the loss is <c>(1 - alpha) * CrossEntropy + alpha * D</c>, D the one term that reads the teacher;</item>
/// <item><c>Distance</c> (<see cref="LossKind.KlDivergence"/> or <see cref="LossKind.LogitMse"/>): which D the declared KL/MSE term computes;</item>
/// <item><c>Temperature</c>, <c>StudentTemperature</c> (double &gt; 0): the KL term's teacher and student temperatures;</item>
/// <item><c>TeacherSelection</c> (<see cref="KdDsl.TeacherSelection"/>): which teacher checkpoint is distilled from;</item>
/// <item><c>LearningRate</c> (double &gt; 0): the learning rate of the student phases (baseline and distillation); the teacher trains
/// with the declared one, so trials that differ only in student knobs distil from the same teacher.</item>
/// </list>
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SweepAttribute : Attribute
{
    /// <summary>Declares the axis <paramref name="axis"/> with the values it takes, in the order the grid enumerates them.</summary>
    public SweepAttribute(string axis, params object[] values)
    {
        Axis = axis;
        Values = values;
    }

    /// <summary>The knob this axis varies; one of the names in <see cref="SweepAxes"/>.</summary>
    public string Axis { get; }

    /// <summary>The values it takes.</summary>
    public object[] Values { get; }
}

/// <summary>The knobs a <see cref="SweepAttribute"/> can vary (usable as <c>[Sweep(SweepAxes.Alpha, 0.1, 0.5)]</c>).</summary>
public static class SweepAxes
{
    /// <summary>Weight of the distillation term; the cross-entropy term gets <c>1 - alpha</c>.</summary>
    public const string Alpha = nameof(Alpha);

    /// <summary>The distillation distance: <see cref="LossKind.KlDivergence"/> on tempered probabilities or <see cref="LossKind.LogitMse"/>.</summary>
    public const string Distance = nameof(Distance);

    /// <summary>The KL term's teacher temperature.</summary>
    public const string Temperature = nameof(Temperature);

    /// <summary>The KL term's student temperature (Sultan et al.: 1 or the teacher's).</summary>
    public const string StudentTemperature = nameof(StudentTemperature);

    /// <summary>Which teacher epoch is distilled from (needs a validation split for all but <see cref="TeacherSelection.LastEpoch"/>).</summary>
    public const string TeacherSelection = nameof(TeacherSelection);

    /// <summary>The learning rate of the student phases (baseline and distillation); the teacher keeps the declared one.</summary>
    public const string LearningRate = nameof(LearningRate);

    /// <summary>
    /// The layer-selection strategy of <c>[MatchLayers]</c> (Yu et al.'s comparison): any <see cref="KdDsl.LayerSelection"/>
    /// but <see cref="KdDsl.LayerSelection.Explicit"/>, whose map is written with <c>[LayerMap]</c>.
    /// </summary>
    public const string LayerSelection = nameof(LayerSelection);
}
