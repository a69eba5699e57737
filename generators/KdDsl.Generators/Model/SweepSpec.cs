namespace KdDsl.Generators.Model;

/// <summary>The knobs a [Sweep] axis can vary (names as in <c>KdDsl.SweepAxes</c>).</summary>
internal enum SweepKnob
{
    Alpha,
    Distance,
    Temperature,
    StudentTemperature,
    TeacherSelection,
    LearningRate,
    LayerSelection,
}

/// <summary>One axis: its knob and its values, as C# expressions for the generated code and as invariant text for the store.</summary>
internal sealed record SweepAxisSpec(SweepKnob Knob, EquatableArray<string> Expressions, EquatableArray<string> Texts)
{
    public string Name => Knob.ToString();

    /// <summary>The C# type of the knob in the generated <c>Trial</c> record.</summary>
    public string TypeName => Knob switch
    {
        SweepKnob.Distance => "global::KdDsl.LossKind",
        SweepKnob.TeacherSelection => "global::KdDsl.TeacherSelection",
        SweepKnob.LayerSelection => "global::KdDsl.LayerSelection",
        _ => "double",
    };

    public bool IsEnum => Knob is SweepKnob.Distance or SweepKnob.TeacherSelection or SweepKnob.LayerSelection;
}

/// <summary>
/// The sweep of an experiment: its axes in declaration order (the grid varies the last fastest), which declared terms they act on
/// (indices into <see cref="ExperimentSpec.Losses"/>, -1 when none), and whether the KL student temperature follows the teacher's
/// (no StudentTemperature declared or swept).
/// </summary>
internal sealed record SweepSpec(
    EquatableArray<SweepAxisSpec> Axes,
    int CrossEntropyTerm,
    int DistillationTerm,
    int KlTerm,
    bool StudentTemperatureFollowsTeacher)
{
    public int TrialCount
    {
        get
        {
            // The parser rejects grids over SweepParser.MaxTrials (KD0040), so the product fits; saturate rather than wrap regardless.
            long product = 1;
            foreach (var axis in Axes) product = System.Math.Min(product * axis.Expressions.Count, int.MaxValue);
            return (int)product;
        }
    }

    public bool Has(SweepKnob knob)
    {
        foreach (var axis in Axes)
            if (axis.Knob == knob) return true;
        return false;
    }
}
