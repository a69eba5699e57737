using System.IO;

namespace KdDsl.Package.Tests;

/// <summary>A console project such as a user would write, referencing only the KdDsl package.</summary>
internal static class Consumer
{
    /// <summary>Creates the project in <paramref name="directory"/>; <paramref name="temperature"/> is written into the KD term.</summary>
    public static string Create(string directory, string name, string version, string temperature)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <!-- Writes the generator's output to obj/.../generated so the test can see it. -->
                <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="KdDsl" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), """
            using System.Globalization;
            using KdDsl;
            using TorchSharp.Modules;
            using static TorchSharp.torch;

            // 64 training samples in one batch of 64, one epoch: one teacher step and one distillation step.
            using var result = Tiny.TinyKd.Run();
            var loss = result.Epochs[0].Total;
            Console.WriteLine(FormattableString.Invariant(
                $"KDDSL-RESULT epochs={result.Epochs.Count} finite={double.IsFinite(loss)} loss={loss:R} teacher={result.TeacherAccuracy:R} student={result.StudentAccuracy:R}"));

            namespace Tiny
            {
                public sealed class TinyTeacher : nn.Module<Tensor, Tensor>
                {
                    private readonly Sequential layers;

                    public TinyTeacher(int inputFeatures, int classCount) : base(nameof(TinyTeacher))
                    {
                        layers = nn.Sequential(nn.Linear(inputFeatures, 32), nn.ReLU(), nn.Linear(32, classCount));
                        RegisterComponents();
                    }

                    public override Tensor forward(Tensor input) => layers.call(input);
                }

                public sealed class TinyStudent : nn.Module<Tensor, Tensor>
                {
                    private readonly Linear head;

                    public TinyStudent(int inputFeatures, int classCount) : base(nameof(TinyStudent))
                    {
                        head = nn.Linear(inputFeatures, classCount);
                        RegisterComponents();
                    }

                    public override Tensor forward(Tensor input) => head.call(input);
                }

                [Distillation]
                [Dataset(DatasetKind.Digits, TrainLimit = 64, TestLimit = 32)]
                [Teacher(typeof(TinyTeacher))]
                [Student(typeof(TinyStudent))]
                [Loss(LossKind.CrossEntropy, Weight = 0.5)]
                [Loss(LossKind.KlDivergence, Weight = 0.5, Temperature = TEMPERATURE)]
                [Train(Epochs = 1, BatchSize = 64, Seed = 1)]
                public partial class TinyKd
                {
                }
            }
            """.Replace("TEMPERATURE", temperature));
        return directory;
    }
}
