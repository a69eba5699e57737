using System;
using System.Collections.Generic;
using KdDsl.Calibration;
using KdDsl.Training;
using static TorchSharp.torch;

namespace KdDsl.Reporting;

/// <summary>One distillation epoch as the generated <c>EpochLosses</c> struct exposes it to generic code.</summary>
public interface IEpochLosses
{
    /// <summary>The 1-based epoch.</summary>
    int Epoch { get; }

    /// <summary>The epoch's mean weighted total.</summary>
    double Total { get; }

    /// <summary>The student's accuracy after the epoch.</summary>
    double Accuracy { get; }

    /// <summary>The epoch's mean of each declared term (unweighted), in declaration order.</summary>
    IReadOnlyList<double> Terms { get; }
}

/// <summary>
/// What every run produces, whatever the experiment declares: the distilled student, its per-epoch losses and accuracies, its
/// test accuracy and calibration. The generated <c>Result</c> derives from this (or from
/// <see cref="DistillationResult{TTeacher, TStudent, TEpoch}"/> when the experiment has a teacher) and adds typed members.
/// </summary>
public abstract class DistillationResult<TStudent, TEpoch> : IDistillationResult, IDisposable
    where TStudent : nn.Module
    where TEpoch : IEpochLosses
{
    /// <summary>
    /// Takes the run's settings and wall time, the distilled student, what distillation and the baseline (null: none) reported,
    /// and <paramref name="epoch"/>, which turns a loop row (total, terms..., accuracy) of a 1-based epoch into the typed epoch.
    /// </summary>
    protected DistillationResult(ExperimentRun run, TStudent student, DistillationReport distillation, BaselineReport? baseline,
        Func<int, double[], TEpoch> epoch)
    {
        Settings = run.Settings;
        Student = student;
        StudentAloneAccuracy = baseline?.Accuracy;
        var rows = distillation.Outcome.Epochs;
        var epochs = new TEpoch[rows.Count];
        for (int i = 0; i < epochs.Length; i++) epochs[i] = epoch(i + 1, rows[i]);
        Epochs = epochs;
        DistillationResumedAfterEpoch = distillation.Outcome.ResumedAfterEpoch;
        EpochAccuracySplit = distillation.EpochAccuracySplit;
        StudentTest = distillation.StudentTest;
        Elapsed = run.Elapsed;
    }

    /// <summary>The experiment's name.</summary>
    public abstract string ExperimentName { get; }

    /// <summary>The declared loss terms, in declaration order.</summary>
    public abstract IReadOnlyList<string> LossTermNames { get; }

    /// <summary>The settings the run used.</summary>
    public TrainingSettings Settings { get; }

    /// <summary>The distilled student.</summary>
    public TStudent Student { get; }

    /// <summary>Accuracy of the student trained alone (null unless <c>[Train(StudentBaseline = true)]</c>).</summary>
    public double? StudentAloneAccuracy { get; }

    /// <summary>Mean losses per distillation epoch, one typed member per declared term.</summary>
    public IReadOnlyList<TEpoch> Epochs { get; }

    /// <summary>The epoch after which distillation resumed from its checkpoint (0: it started from scratch).</summary>
    public int DistillationResumedAfterEpoch { get; }

    /// <summary>The split each epoch's <c>Accuracy</c> was measured on: "validation" when the data has one, else "test".</summary>
    public string EpochAccuracySplit { get; }

    /// <summary>Accuracy of the distilled student on the test split.</summary>
    public double StudentAccuracy => StudentTest.Accuracy;

    /// <summary>The distilled student's calibration on the test split.</summary>
    public CalibrationReport StudentTest { get; }

    /// <summary>Wall time of the run.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Writes the distilled student's <c>state_dict</c> for PyTorch (<see cref="KdDsl.Export.ModelExport.SavePyTorch"/>).</summary>
    public void SaveStudentPyTorch(string path) => KdDsl.Export.ModelExport.SavePyTorch(Student, path);

    /// <summary>Writes the distilled student as <c>.safetensors</c> (<see cref="KdDsl.Export.ModelExport.SaveSafetensors"/>).</summary>
    public void SaveStudentSafetensors(string path) => KdDsl.Export.ModelExport.SaveSafetensors(Student, path);

    /// <summary>
    /// Writes the distilled student as ONNX (<see cref="KdDsl.Export.OnnxExport.Save"/>) for inputs of per-sample shape
    /// <paramref name="sampleShape"/> (the data's <c>SampleShape</c>), with <paramref name="standardizer"/>'s Sub and Div in
    /// front of the graph when given, so the file takes raw inputs.
    /// </summary>
    public void ExportStudentOnnx(string path, IReadOnlyList<long> sampleShape, KdDsl.Data.Standardizer? standardizer = null)
    {
        if (Student is not nn.Module<Tensor, Tensor> model)
            throw new NotSupportedException($"{Student.GetType().Name} is not a Module<Tensor, Tensor>; ONNX export needs one.");
        KdDsl.Export.OnnxExport.Save(model, path, sampleShape, new KdDsl.Export.OnnxExportOptions { Standardizer = standardizer });
    }

    /// <summary>The teacher's test accuracy, for generic reporting (null: no teacher).</summary>
    protected virtual double? ReportedTeacherAccuracy => null;

    double? IDistillationResult.TeacherAccuracy => ReportedTeacherAccuracy;

    /// <summary>Whether the teacher was loaded from its checkpoint, for generic reporting (false: trained, or no teacher).</summary>
    protected virtual bool ReportedTeacherLoaded => false;

    bool IDistillationResult.TeacherLoadedFromCheckpoint => ReportedTeacherLoaded;

    IReadOnlyList<EpochLossRecord> IDistillationResult.LossHistory
    {
        get
        {
            var records = new EpochLossRecord[Epochs.Count];
            for (int i = 0; i < records.Length; i++)
            {
                var e = Epochs[i];
                records[i] = new EpochLossRecord(e.Epoch, e.Total, e.Terms, e.Accuracy);
            }
            return records;
        }
    }

    /// <summary>Releases the models' native memory.</summary>
    public virtual void Dispose() => Student.Dispose();
}

/// <summary>A run's result with its teacher: the teacher, how it was trained or loaded, its accuracy and calibration.</summary>
public abstract class DistillationResult<TTeacher, TStudent, TEpoch> : DistillationResult<TStudent, TEpoch>
    where TTeacher : nn.Module
    where TStudent : nn.Module
    where TEpoch : IEpochLosses
{
    /// <summary>Adds the teacher and what its phase reported to the members every result has.</summary>
    protected DistillationResult(ExperimentRun run, TTeacher teacher, TeacherPhaseReport teacherPhase, TStudent student,
        DistillationReport distillation, BaselineReport? baseline, Func<int, double[], TEpoch> epoch)
        : base(run, student, distillation, baseline, epoch)
    {
        Teacher = teacher;
        TeacherLoadedFromCheckpoint = teacherPhase.LoadedFromCheckpoint;
        TeacherTraining = teacherPhase.Training;
        TeacherTest = teacherPhase.Test;
    }

    /// <summary>The trained (or loaded) teacher.</summary>
    public TTeacher Teacher { get; }

    /// <summary>Whether the teacher was loaded from its checkpoint instead of trained.</summary>
    public bool TeacherLoadedFromCheckpoint { get; }

    /// <summary>How the teacher was trained (null when loaded): losses, validation curve, the epoch kept.</summary>
    public TeacherTrainingReport? TeacherTraining { get; }

    /// <summary>Mean cross-entropy per teacher epoch (empty when loaded).</summary>
    public IReadOnlyList<double> TeacherEpochLosses => TeacherTraining?.EpochLosses ?? Array.Empty<double>();

    /// <summary>Teacher accuracy on the test split.</summary>
    public double TeacherAccuracy => TeacherTest.Accuracy;

    /// <summary>The teacher's calibration on the test split (ECE, over-confidence, reliability bins).</summary>
    public CalibrationReport TeacherTest { get; }

    /// <inheritdoc />
    protected override double? ReportedTeacherAccuracy => TeacherAccuracy;

    /// <inheritdoc />
    protected override bool ReportedTeacherLoaded => TeacherLoadedFromCheckpoint;

    /// <inheritdoc />
    public override void Dispose()
    {
        Teacher.Dispose();
        base.Dispose();
    }
}
