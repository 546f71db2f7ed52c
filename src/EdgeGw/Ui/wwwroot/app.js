// Placeholder: the admin console replaces this file.
document.getElementById('app').dataset.ready = 'true';
