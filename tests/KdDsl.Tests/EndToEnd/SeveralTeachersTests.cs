using System;
using System.Linq;
using KdDsl.Training;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.EndToEnd;

/// <summary>
/// Two named teachers (different models, seeds and epochs; the second cached in memory) in one full-batch step: the KL term reads
/// the ensemble (weights 2 : 1), the second KL term teacher "b" alone, both logged at weight 0.
/// </summary>
[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 120, TestLimit = 60)]
[Teacher(typeof(TinyTeacher), Name = "a", Epochs = 2)]
[Teacher(typeof(TinyStudent), Name = "b", Epochs = 1, CacheOutputs = TeacherOutputCaching.Memory)]
[TeacherEnsemble(Weights = new[] { 2.0, 1.0 })]
[Student(typeof(TinyStudent))]
[Loss(LossKind.CrossEntropy)]
[Loss(LossKind.KlDivergence, Weight = 0, Temperature = 4)]
[Loss(LossKind.KlDivergence, Weight = 0, Temperature = 2, Teacher = "b")]
[Train(Epochs = 1, BatchSize = 120, Seed = 13)]
public partial class TwoTeachersLoggedKd
{
}

/// <summary>The same run with teacher "b" alone, loaded from the checkpoint a two-teacher run wrote, reading it at T = 2.</summary>
[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 120, TestLimit = 60)]
[Teacher(typeof(TinyTeacher), Name = "a", Epochs = 2)]
[Teacher(typeof(TinyStudent), Name = "b", Epochs = 1, Checkpoint = "several-teachers-test/b.ckpt")]
[Student(typeof(TinyStudent))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 2, Teacher = "b")]
[Loss(LossKind.KlDivergence, Weight = 0, Temperature = 2, Teacher = "a")]
[Train(Epochs = 2, BatchSize = 40, Seed = 13)]
public partial class TwoTeachersReadingB
{
}

/// <summary>Teacher "b" of <see cref="TwoTeachersReadingB"/> as the only teacher, from the same checkpoint.</summary>
[Distillation]
[Dataset(DatasetKind.Digits, TrainLimit = 120, TestLimit = 60)]
[Teacher(typeof(TinyStudent), Epochs = 1, Checkpoint = "several-teachers-test/b.ckpt")]
[Student(typeof(TinyStudent))]
[Loss(LossKind.CrossEntropy, Weight = 0.5)]
[Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = 2)]
[Train(Epochs = 2, BatchSize = 40, Seed = 13)]
public partial class OnlyTeacherB
{
}

/// <summary>Several teachers in generated loops: each trained and measured, each term reading its teacher or the ensemble.</summary>
public sealed class SeveralTeachersTests
{
    [Fact]
    public void Each_teacher_is_measured_and_the_terms_read_the_ensemble_and_teacher_b_as_float64_references_say()
    {
        using var result = TwoTeachersLoggedKd.Run();
        Assert.Equal(new[] { "CrossEntropy", "KlDivergence", "KlDivergenceB" }, TwoTeachersLoggedKd.LossTermNames);
        Assert.Equal(new[] { "a", "b" }, TwoTeachersLoggedKd.TeacherNames);
        Assert.Equal(new[] { "a", "b" }, result.Teachers.Select(t => t.Name));
        Assert.Same(result.Teacher, result.Teachers[0].Model);
        Assert.Same(result.Teacher2, result.Teachers[1].Model);

        using var data = KdDsl.Data.BuiltInDatasets.Load(DatasetKind.Digits, null, 120, 60);
        var testLabels = data.Test.Labels.data<long>().ToArray();
        // Each teacher's reported accuracy is its own, measured independently here.
        foreach (var (teacher, reported) in new (nn.Module<Tensor, Tensor>, double)[]
                 { (result.Teacher, result.TeacherAccuracies["a"]), (result.Teacher2, result.TeacherAccuracies["b"]) })
        {
            long[] predicted;
            using (no_grad())
            {
                teacher.eval();
                using var logits = teacher.call(data.Test.Features);
                predicted = logits.argmax(1).data<long>().ToArray();
            }
            double accuracy = predicted.Zip(testLabels).Count(p => p.First == p.Second) / (double)testLabels.Length;
            Assert.Equal(accuracy, reported, 12);
        }
        Assert.Equal(result.TeacherAccuracy, result.Teachers[0].Accuracy);
        Assert.NotEqual(result.Teachers[0].Phase.Training!.EpochLosses.Count, result.Teachers[1].Phase.Training!.EpochLosses.Count); // 2 and 1 epochs
        Assert.True(result.Teachers[1].Test.ExpectedCalibrationError >= 0);

        // The one step saw the whole training split with the student as the run built it (seed + 1).
        ExperimentRuntime.Seed(result.Settings.Seed + 1);
        using var initial = new TinyStudent(data.Train.FeatureCount, data.Train.ClassCount);
        double[][] student, a, b;
        using (no_grad())
        {
            initial.eval();
            student = Rows(initial.call(data.Train.Features));
            a = Rows(result.Teacher.call(data.Train.Features));
            b = Rows(result.Teacher2.call(data.Train.Features));
        }
        var epoch = result.Epochs.Single();
        double ensembleKl = 0, bKl = 0;
        for (int n = 0; n < student.Length; n++)
        {
            var pa = Softmax(a[n], 4);
            var pb = Softmax(b[n], 4);
            var ensemble = pa.Select((p, k) => (2 * p + pb[k]) / 3).ToArray();
            ensembleKl += Kl(ensemble, Softmax(student[n], 4));
            bKl += Kl(Softmax(b[n], 2), Softmax(student[n], 2));
        }
        ensembleKl = 16 * ensembleKl / student.Length;
        bKl = 4 * bKl / student.Length;
        Assert.Equal(ensembleKl, epoch.KlDivergence, 4);
        Assert.Equal(bKl, epoch.KlDivergenceB, 4);
        Assert.True(ensembleKl > 1e-3 && bKl > 1e-3);
        Assert.Equal(epoch.CrossEntropy, epoch.Total, 12); // weight 0: logged, not trained on
    }

    [Fact]
    public void A_term_reading_teacher_b_trains_the_student_as_b_alone_would()
    {
        try
        {
            using var several = TwoTeachersReadingB.Run(); // trains b and saves it
            using var alone = OnlyTeacherB.Run();          // loads the same b
            Assert.True(alone.TeacherLoadedFromCheckpoint);
            Assert.Equal(several.Teachers[1].Accuracy, alone.TeacherAccuracy, 12);
            Assert.Equal(alone.Epochs.Select(e => e.KlDivergence), several.Epochs.Select(e => e.KlDivergenceB));
            Assert.Equal(alone.Epochs.Select(e => e.Total), several.Epochs.Select(e => e.Total));
            Assert.Equal(alone.StudentAccuracy, several.StudentAccuracy, 12);
            Assert.True(several.Epochs.All(e => e.KlDivergenceA > 0)); // teacher a is read too (logged)
        }
        finally
        {
            if (System.IO.Directory.Exists("several-teachers-test")) System.IO.Directory.Delete("several-teachers-test", true);
        }
    }

    private static double[][] Rows(Tensor t)
    {
        using var cpu = t.detach().to_type(ScalarType.Float64).cpu();
        var flat = cpu.data<double>().ToArray();
        int cols = (int)t.shape[1];
        return Enumerable.Range(0, (int)t.shape[0]).Select(r => flat.Skip(r * cols).Take(cols).ToArray()).ToArray();
    }

    private static double[] Softmax(double[] z, double t)
    {
        double max = z.Max() / t;
        var e = z.Select(v => Math.Exp(v / t - max)).ToArray();
        double sum = e.Sum();
        return e.Select(v => v / sum).ToArray();
    }

    private static double Kl(double[] p, double[] q) => p.Select((pk, k) => pk > 0 ? pk * Math.Log(pk / q[k]) : 0).Sum();
}
