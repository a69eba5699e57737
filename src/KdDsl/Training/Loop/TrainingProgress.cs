namespace KdDsl.Training;

/// <summary>Which model a run is training.</summary>
public enum TrainingPhase
{
    /// <summary>The teacher, with cross-entropy.</summary>
    Teacher,

    /// <summary>The student alone, with cross-entropy (the baseline).</summary>
    StudentAlone,

    /// <summary>The student, with the declared distillation loss.</summary>
    Distillation,
}

/// <summary>
/// A progress report: phase, 1-based epoch and step, the total loss of the latest step and, when given, each term's value.
/// <see cref="Terms"/> is reused from step to step: copy it to keep it.
/// </summary>
public readonly record struct TrainingProgress(
    TrainingPhase Phase, int Epoch, int Epochs, int Step, int StepsPerEpoch, double Loss,
    System.Collections.Generic.IReadOnlyList<string>? TermNames = null, System.ReadOnlyMemory<double> Terms = default)
{
    /// <summary>Whether this is the last step of its epoch.</summary>
    public bool EndsEpoch => Step == StepsPerEpoch;
}
