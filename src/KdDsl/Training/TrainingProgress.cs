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

/// <summary>A progress report: phase, 1-based epoch and step, and the total loss of the latest step.</summary>
public readonly record struct TrainingProgress(TrainingPhase Phase, int Epoch, int Epochs, int Step, int StepsPerEpoch, double Loss);
