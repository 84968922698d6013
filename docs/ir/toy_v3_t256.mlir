module {
  func.func @mamba_layer(%arg0: memref<1x256x512xf32> {nki.name = "delta"}, %arg1: memref<1x256x512xf32> {nki.name = "u"}, %arg2: memref<256x16xf32> {nki.name = "A"}, %arg3: memref<1x16x512xf32> {nki.name = "B"}, %arg4: memref<1x16x512xf32> {nki.name = "C"}, %arg5: memref<1x256x512xf32> {nki.name = "out"}) attributes {nki.kernel = {delta_softplus = false, name = "selective_scan"}} {
    %c256 = arith.constant 256 : index
    %c128 = arith.constant 128 : index
    %c16 = arith.constant 16 : index
    %c2 = arith.constant 2 : index
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    scf.for %arg6 = %c0 to %c1 step %c1 {
      scf.for %arg7 = %c0 to %c2 step %c1 {
        %scanC_accum = nki.alloc "scanC_accum" : memref<128x512xf32, #nki.mem<sbuf>>
        nki.memset 0.000000e+00 into %scanC_accum : memref<128x512xf32, #nki.mem<sbuf>>
        %0 = arith.muli %arg7, %c128 : index
        %subview = memref.subview %arg0[%arg6, %0, 0] [1, 128, 512] [1, 1, 1] : memref<1x256x512xf32> to memref<128x512xf32, strided<[512, 1], offset: ?>>
        %delta_i = nki.alloc "delta_i" : memref<128x512xf32, #nki.mem<sbuf>>
        nki.load %subview : memref<128x512xf32, strided<[512, 1], offset: ?>> into %delta_i : memref<128x512xf32, #nki.mem<sbuf>>
        %subview_0 = memref.subview %arg1[%arg6, %0, 0] [1, 128, 512] [1, 1, 1] : memref<1x256x512xf32> to memref<128x512xf32, strided<[512, 1], offset: ?>>
        %u_i = nki.alloc "u_i" : memref<128x512xf32, #nki.mem<sbuf>>
        nki.load %subview_0 : memref<128x512xf32, strided<[512, 1], offset: ?>> into %u_i : memref<128x512xf32, #nki.mem<sbuf>>
        scf.for %arg8 = %c0 to %c16 step %c1 {
          %A_i = nki.alloc "A_i" : memref<128x1xf32, #nki.mem<sbuf>>
          %subview_2 = memref.subview %arg2[%0, %arg8] [128, 1] [1, 1] : memref<256x16xf32> to memref<128x1xf32, strided<[16, 1], offset: ?>>
          nki.load %subview_2 : memref<128x1xf32, strided<[16, 1], offset: ?>> into %A_i : memref<128x1xf32, #nki.mem<sbuf>>
          %subview_3 = memref.subview %arg3[%arg6, %arg8, 0] [1, 1, 512] [1, 1, 1] : memref<1x16x512xf32> to memref<1x512xf32, strided<[8192, 1], offset: ?>>
          %subview_4 = memref.subview %arg4[%arg6, %arg8, 0] [1, 1, 512] [1, 1, 1] : memref<1x16x512xf32> to memref<1x512xf32, strided<[8192, 1], offset: ?>>
          %scan_res = nki.alloc "scan_res" : memref<128x257xf32, #nki.mem<sbuf>>
          %subview_5 = memref.subview %scan_res[0, 0] [128, 1] [1, 1] : memref<128x257xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[257, 1]>, #nki.mem<sbuf>>
          nki.memset 0.000000e+00 into %subview_5 : memref<128x1xf32, strided<[257, 1]>, #nki.mem<sbuf>>
          scf.for %arg9 = %c0 to %c2 step %c1 {
            %1 = arith.muli %arg9, %c256 : index
            %subview_6 = memref.subview %delta_i[0, %1] [128, 256] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x256xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
            %deltaA = nki.alloc "deltaA" : memref<128x256xf32, #nki.mem<sbuf>>
            nki.activation exp(%subview_6 : memref<128x256xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>) scale(%A_i : memref<128x1xf32, #nki.mem<sbuf>>) into %deltaA : memref<128x256xf32, #nki.mem<sbuf>>
            %subview_7 = memref.subview %subview_3[0, %1] [1, 256] [1, 1] : memref<1x512xf32, strided<[8192, 1], offset: ?>> to memref<1x256xf32, strided<[8192, 1], offset: ?>>
            %B_i = nki.alloc "B_i" : memref<1x256xf32, #nki.mem<sbuf>>
            nki.load %subview_7 : memref<1x256xf32, strided<[8192, 1], offset: ?>> into %B_i : memref<1x256xf32, #nki.mem<sbuf>>
            %subview_8 = memref.subview %u_i[0, %1] [128, 256] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x256xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
            %deltaU = nki.alloc "deltaU" : memref<128x256xf32, #nki.mem<sbuf>>
            nki.tensor_tensor multiply(%subview_6 : memref<128x256xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>, %subview_8 : memref<128x256xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>) into %deltaU : memref<128x256xf32, #nki.mem<sbuf>>
            %B_i_bcast = nki.alloc "B_i_bcast" : memref<128x256xf32, #nki.mem<psum>>
            nki.partition_broadcast %B_i : memref<1x256xf32, #nki.mem<sbuf>> into %B_i_bcast : memref<128x256xf32, #nki.mem<psum>>
            %deltaBu = nki.alloc "deltaBu" : memref<128x256xf32, #nki.mem<sbuf>>
            nki.tensor_tensor multiply(%deltaU : memref<128x256xf32, #nki.mem<sbuf>>, %B_i_bcast : memref<128x256xf32, #nki.mem<psum>>) into %deltaBu : memref<128x256xf32, #nki.mem<sbuf>>
            %subview_9 = memref.subview %scan_res[0, 1] [128, 256] [1, 1] : memref<128x257xf32, #nki.mem<sbuf>> to memref<128x256xf32, strided<[257, 1], offset: 1>, #nki.mem<sbuf>>
            nki.tensor_tensor_scan multiply, add(%deltaA : memref<128x256xf32, #nki.mem<sbuf>>, %deltaBu : memref<128x256xf32, #nki.mem<sbuf>>) initial(%subview_5 : memref<128x1xf32, strided<[257, 1]>, #nki.mem<sbuf>>) into %subview_9 : memref<128x256xf32, strided<[257, 1], offset: 1>, #nki.mem<sbuf>>
            %subview_10 = memref.subview %scan_res[0, 256] [128, 1] [1, 1] : memref<128x257xf32, #nki.mem<sbuf>> to memref<128x1xf32, strided<[257, 1], offset: 256>, #nki.mem<sbuf>>
            nki.tensor_copy %subview_10 : memref<128x1xf32, strided<[257, 1], offset: 256>, #nki.mem<sbuf>> into %subview_5 : memref<128x1xf32, strided<[257, 1]>, #nki.mem<sbuf>> on scalar
            %subview_11 = memref.subview %subview_4[0, %1] [1, 256] [1, 1] : memref<1x512xf32, strided<[8192, 1], offset: ?>> to memref<1x256xf32, strided<[8192, 1], offset: ?>>
            %C_i = nki.alloc "C_i" : memref<1x256xf32, #nki.mem<sbuf>>
            nki.load %subview_11 : memref<1x256xf32, strided<[8192, 1], offset: ?>> into %C_i : memref<1x256xf32, #nki.mem<sbuf>>
            %C_i_bcast = nki.alloc "C_i_bcast" : memref<128x256xf32, #nki.mem<psum>>
            nki.partition_broadcast %C_i : memref<1x256xf32, #nki.mem<sbuf>> into %C_i_bcast : memref<128x256xf32, #nki.mem<psum>>
            %scanC = nki.alloc "scanC" : memref<128x256xf32, #nki.mem<psum>>
            nki.tensor_tensor multiply(%subview_9 : memref<128x256xf32, strided<[257, 1], offset: 1>, #nki.mem<sbuf>>, %C_i_bcast : memref<128x256xf32, #nki.mem<psum>>) into %scanC : memref<128x256xf32, #nki.mem<psum>>
            %subview_12 = memref.subview %scanC_accum[0, %1] [128, 256] [1, 1] : memref<128x512xf32, #nki.mem<sbuf>> to memref<128x256xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
            nki.tensor_tensor add(%subview_12 : memref<128x256xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>, %scanC : memref<128x256xf32, #nki.mem<psum>>) into %subview_12 : memref<128x256xf32, strided<[512, 1], offset: ?>, #nki.mem<sbuf>>
          } {nki.kind = "sequential", nki.loop = "seq_tile"}
        } {nki.kind = "affine", nki.loop = "state"}
        %subview_1 = memref.subview %arg5[%arg6, %0, 0] [1, 128, 512] [1, 1, 1] : memref<1x256x512xf32> to memref<128x512xf32, strided<[512, 1], offset: ?>>
        nki.store %scanC_accum : memref<128x512xf32, #nki.mem<sbuf>> into %subview_1 : memref<128x512xf32, strided<[512, 1], offset: ?>>
      } {nki.kind = "affine", nki.loop = "channel_tile"}
    } {nki.kind = "affine", nki.loop = "batch"}
    return
  }
}

