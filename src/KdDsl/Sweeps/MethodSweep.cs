using System;
using System.Collections.Generic;
using System.Linq;
using KdDsl.Data;
using KdDsl.Reporting;
using KdDsl.Training;

namespace KdDsl.Sweeps;

/// <summary>One method of a <see cref="MethodSweep"/>: its name and the generated experiment's <c>Run(DatasetSplits, RunOptions)</c>.</summary>
/// <param name="Name">The value the sweep's <c>Method</c> axis shows for it (e.g. "DKD").</param>
/// <param name="Run">Runs the method's experiment; the sweep disposes the result.</param>
/// <param name="ReadsTeacher">False for a method without a teacher (the student alone, teacher-free KD): it gets no teacher checkpoint.</param>
public sealed record SweptMethod(string Name, Func<DatasetSplits, RunOptions, IDistillationResult> Run, bool ReadsTeacher = true);

/// <summary>
/// A sweep whose one axis, <c>Method</c>, is a list of experiments: trial i runs method i's generated experiment. Methods differ
/// in their declarations (terms, layer matching, options), which one experiment's <c>[Sweep]</c> axes cannot vary, so a
/// comparison of methods declares one experiment per method and sweeps over them here, through the same store, shards,
/// resume and report as any sweep (<see cref="SweepCommandLine"/>). The methods must share the teacher they distil from:
/// the same model, epochs and training settings, so that one teacher checkpoint, keyed by <see cref="TeacherKey"/>, serves
/// every trial of a seed.
/// </summary>
public sealed class MethodSweep : ISweepExperiment
{
    private readonly IReadOnlyList<SweptMethod> methods;
    private readonly string? teacherKey;

    /// <param name="name">The sweep's name (the store's experiment column).</param>
    /// <param name="student">The student's type name, shared by the methods (the report compares per data set and student).</param>
    /// <param name="declaredSeed">The first seed; a sweep over n seeds uses it and the n - 1 after it.</param>
    /// <param name="teacherKey">
    /// What identifies the shared teacher's declaration (null: the methods train no teacher); part of the teacher file's name, so
    /// change it when the teacher's declaration changes.
    /// </param>
    /// <param name="methods">The methods, in the order of the axis; names must be distinct.</param>
    public MethodSweep(string name, string student, int declaredSeed, string? teacherKey, IReadOnlyList<SweptMethod> methods)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(student);
        ArgumentNullException.ThrowIfNull(methods);
        if (methods.Count == 0) throw new ArgumentException("A method sweep needs at least one method.", nameof(methods));
        var duplicate = methods.GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"The method name \"{duplicate.Key}\" is used twice.", nameof(methods));
        Name = name;
        Student = student;
        DeclaredSeed = declaredSeed;
        this.teacherKey = teacherKey;
        this.methods = methods.ToArray();
        Axes = new[] { new SweepAxis("Method", this.methods.Select(m => m.Name).ToArray()) };
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string Student { get; }

    /// <inheritdoc />
    public int DeclaredSeed { get; }

    /// <inheritdoc />
    public IReadOnlyList<SweepAxis> Axes { get; }

    /// <inheritdoc />
    public int TrialCount => methods.Count;

    /// <inheritdoc />
    public IReadOnlyList<KeyValuePair<string, string>> Configuration(int trial) =>
        new[] { new KeyValuePair<string, string>("Method", Method(trial).Name) };

    /// <inheritdoc />
    public string? TeacherKey(int trial) => Method(trial).ReadsTeacher ? teacherKey : null;

    /// <inheritdoc />
    public SweepTrialResult RunTrial(int trial, DatasetSplits data, int seed, RunOptions? options = null)
    {
        var method = Method(trial);
        var report = method.Run(data, (options ?? new RunOptions()) with { Seed = seed });
        try
        {
            var history = report.LossHistory;
            double finalLoss = history.Count == 0 ? double.NaN : history[^1].Total;
            return new SweepTrialResult(report.StudentAccuracy, report.TeacherAccuracy, report.StudentAloneAccuracy, finalLoss, report.Elapsed)
            {
                TeacherLoaded = report.TeacherLoadedFromCheckpoint,
            };
        }
        finally
        {
            (report as IDisposable)?.Dispose(); // the generated results hold the models' native memory
        }
    }

    private SweptMethod Method(int trial) =>
        trial >= 0 && trial < methods.Count ? methods[trial]
            : throw new ArgumentOutOfRangeException(nameof(trial), trial, $"{Name} has {methods.Count} methods (trials 0 to {methods.Count - 1}).");
}
