using System;
using System.Collections.Generic;
using KdDsl.Training;

namespace KdDsl.Reporting;

/// <summary>What every generated experiment result offers to generic reporting code. Each experiment's own <c>Result</c> adds typed members.</summary>
public interface IDistillationResult
{
    /// <summary>The experiment class's name.</summary>
    string ExperimentName { get; }

    /// <summary>The settings the run used.</summary>
    TrainingSettings Settings { get; }

    /// <summary>Teacher accuracy on the test split; null for teacher-free experiments.</summary>
    double? TeacherAccuracy { get; }

    /// <summary>Whether the teacher was loaded from its checkpoint instead of trained (false without a teacher).</summary>
    bool TeacherLoadedFromCheckpoint { get; }

    /// <summary>Accuracy of the student trained alone (cross-entropy), when the experiment asked for the baseline.</summary>
    double? StudentAloneAccuracy { get; }

    /// <summary>Accuracy of the distilled student on the test split.</summary>
    double StudentAccuracy { get; }

    /// <summary>Names of the declared loss terms, in declaration order.</summary>
    IReadOnlyList<string> LossTermNames { get; }

    /// <summary>
    /// Mean loss per distillation epoch (total and each term in <see cref="LossTermNames"/> order) and the distilled student's
    /// accuracy after that epoch on <see cref="EpochAccuracySplit"/>.
    /// </summary>
    IReadOnlyList<EpochLossRecord> LossHistory { get; }

    /// <summary>The split the per-epoch accuracy was measured on: <c>"validation"</c> when the data has one, else <c>"test"</c>.</summary>
    string EpochAccuracySplit { get; }

    /// <summary>Wall time of the whole run.</summary>
    TimeSpan Elapsed { get; }
}

/// <summary>
/// One distillation epoch: its mean losses (the weighted total and each term, unweighted) and the student's accuracy after it on
/// the result's <see cref="IDistillationResult.EpochAccuracySplit"/>.
/// </summary>
public sealed record EpochLossRecord(int Epoch, double Total, IReadOnlyList<double> Terms, double Accuracy);
