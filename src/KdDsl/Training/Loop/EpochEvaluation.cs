namespace KdDsl.Training;

/// <summary>
/// The accuracy of the model a phase trains, measured after one of its epochs (eval mode, no gradients) on <see cref="Split"/>:
/// <c>"validation"</c> when the data has a validation split, else <c>"test"</c>. The generated distillation loop sends one per
/// epoch, after the epoch's checkpoint is written, to a <see cref="RunOptions.Progress"/> receiver that also implements
/// <c>IProgress&lt;EpochEvaluation&gt;</c> (as <see cref="Reporting.MetricsLogger"/> and <see cref="Reporting.ProgressFanout"/> do).
/// It comes after the epoch's last step report, so step and epoch timings taken from step reports do not include it.
/// </summary>
public readonly record struct EpochEvaluation(TrainingPhase Phase, int Epoch, int Epochs, double Accuracy, string Split);
