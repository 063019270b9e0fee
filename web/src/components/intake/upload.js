// One evidence file to POST /api/v1/cases/{no}/evidence (multipart, field "file"), with
// upload progress: fetch reports none, so XMLHttpRequest, with the session's token as
// api.js sends it. Resolves to the Evidence object; rejects with an ApiError.
import { ApiError, apiUrl, getToken } from '../../api.js';

export function uploadEvidence(caseNo, file, type, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    const fd = new FormData();
    // declare the type the server accepts (a browser may name .m4a audio/x-m4a, or none)
    const body = type && type !== file.type ? new File([file], file.name, { type }) : file;
    fd.append('file', body, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', apiUrl(`/cases/${encodeURIComponent(caseNo)}/evidence`));
    xhr.setRequestHeader('Accept', 'application/json');
    const token = getToken();
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(Math.min(99, Math.round((e.loaded / e.total) * 100)));
    };
    xhr.onload = () => {
      let data = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(100);
        resolve(data);
      } else {
        reject(new ApiError(xhr.status, data));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, null));
    xhr.onabort = () => reject(new ApiError(0, null));
    xhr.send(fd);
  });
}
