using System;
using System.Collections.Generic;
using KdDsl.Calibration;
using KdDsl.Training;
using static TorchSharp.torch;

namespace KdDsl.Reporting;

/// <summary>
/// One teacher of an experiment with several (<c>[Teacher(..., Name = ...)]</c> repeated): its name, the trained (or loaded) model,
/// how its phase went, its accuracy and calibration on the test split.
/// </summary>
/// <param name="Name">The declared name.</param>
/// <param name="Model">The teacher model (the generated <c>Result</c> also exposes it typed, as <c>Teacher</c>, <c>Teacher2</c>, ...).</param>
/// <param name="Phase">What its phase reported: loaded or trained, its training report, its calibration on the test split.</param>
public sealed record EnsembleTeacher(string Name, nn.Module<Tensor, Tensor> Model, TeacherPhaseReport Phase)
{
    /// <summary>Its accuracy on the test split.</summary>
    public double Accuracy => Phase.Accuracy;

    /// <summary>Its calibration on the test split (ECE, over-confidence, reliability bins).</summary>
    public CalibrationReport Test => Phase.Test;

    /// <summary>Whether it was loaded from its checkpoint (or PyTorch weights) instead of trained.</summary>
    public bool LoadedFromCheckpoint => Phase.LoadedFromCheckpoint;

    /// <summary>Each teacher's test accuracy by name, in declaration order.</summary>
    public static IReadOnlyDictionary<string, double> Accuracies(IReadOnlyList<EnsembleTeacher> teachers)
    {
        ArgumentNullException.ThrowIfNull(teachers);
        var accuracies = new Dictionary<string, double>(teachers.Count, StringComparer.Ordinal);
        foreach (var teacher in teachers) accuracies.Add(teacher.Name, teacher.Accuracy);
        return accuracies;
    }
}
