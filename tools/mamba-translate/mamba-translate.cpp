//===- mamba-translate.cpp - mamba-nki translation driver -----------------===//
//
//   mamba-translate --nki-to-nisa kernel.mlir -o kernel.nisa
//   mamba-translate --nisa-stats kernel.nisa
//   mamba-translate --nisa-roundtrip kernel.nisa
//
//===----------------------------------------------------------------------===//

#include "mamba-nki/Target/Nisa/NkiToNisa.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::nki::registerNisaTranslations();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "mamba-nki translation driver"));
}
